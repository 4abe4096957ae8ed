// The pipeline's two hooks into OpenTelemetry's OTLP exporters (exporter-internals.ts) on exporters
// built differently from the installed ones (another OpenTelemetry line, a custom exporter): each
// keeps the exporter's own behaviour instead of breaking it. The installed exporters' shape is
// held in exporter-internals.test.ts.
import { describe, expect, it } from 'vitest';
import { TransportControl, watchPartialSuccess } from './exporter-internals.js';

describe('watchPartialSuccess on exporters of another shape', () => {
  for (const [name, exporter] of [
    ['no _delegate', {}],
    ['a null _delegate', { _delegate: null }],
    ['a _delegate without a response handler', { _delegate: {} }],
    ['a response handler without handleResponse', { _delegate: { _responseHandler: {} } }],
    [
      'a function as _delegate',
      { _delegate: Object.assign(() => {}, { _responseHandler: { handleResponse: () => {} } }) },
    ],
  ] as const) {
    it(`${name}: left as it is, nothing seen`, () => {
      const handlerOf = () =>
        (exporter as { _delegate?: { _responseHandler?: unknown } })._delegate?._responseHandler;
      const before = handlerOf();
      const seen: unknown[] = [];
      expect(() => watchPartialSuccess(exporter, (p) => seen.push(p))).not.toThrow();
      expect(handlerOf()).toBe(before);
      expect(seen).toEqual([]);
    });
  }

  it("the exporter's own handler still gets every response, a partial success included", () => {
    const handled: unknown[] = [];
    const exporter = {
      _delegate: { _responseHandler: { handleResponse: (r: unknown) => handled.push(r) } },
    };
    const seen: unknown[] = [];
    watchPartialSuccess(exporter, (p) => seen.push(p));
    const partial = { partialSuccess: { rejectedDataPoints: '3', errorMessage: '' } };
    const handler = exporter._delegate._responseHandler;
    handler.handleResponse(partial);
    handler.handleResponse({});
    expect(handled).toEqual([partial, {}]);
    expect(seen).toEqual([partial.partialSuccess]);
  });
});

describe('TransportControl on transports of another shape', () => {
  it('a retrying transport without an inner send keeps its own retries', async () => {
    const calls: unknown[] = [];
    const retry = async (...args: unknown[]) => {
      calls.push(args);
      return { status: 'success' as const };
    };
    const transport = { retry, shutdown: () => {} };
    new TransportControl({ _delegate: { _transport: transport } });
    expect(await transport.retry('data', 1_000, 0)).toEqual({ status: 'success' });
    expect(calls).toEqual([['data', 1_000, 0]]);
  });

  it('close() shuts the transport once, however often it is called, and survives a throwing shutdown', () => {
    let shutdowns = 0;
    const control = new TransportControl({
      _delegate: {
        _transport: {
          shutdown: () => {
            shutdowns++;
            throw new Error('already closed');
          },
        },
      },
    });
    expect(() => control.close()).not.toThrow();
    control.close();
    expect(shutdowns).toBe(1);
  });

  it('an exporter without a transport, or whose transport has no shutdown: close() does nothing, without a throw', () => {
    for (const exporter of [{}, { _delegate: {} }, { _delegate: { _transport: {} } }]) {
      expect(() => new TransportControl(exporter).close()).not.toThrow();
    }
  });
});
