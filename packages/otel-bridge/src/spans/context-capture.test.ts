import {
  context,
  createContextKey,
  ROOT_CONTEXT,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { CapturedContext, createContextCapture } from './context-capture.js';

afterEach(() => {
  context.disable();
});

const spanContext = (sampled: boolean): SpanContext => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
});

/** Runs `fn` with a (non-recording) span of `sampled` active through the API's global context. */
const inSpan = <T>(sampled: boolean, fn: () => T): T =>
  context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext(sampled)), fn);

describe('createContextCapture', () => {
  it('captures nothing while no context manager is registered, and follows one registered, disabled and registered again later', () => {
    const { capture } = createContextCapture(() => 1, 'sampled');
    // No manager: the API's answer is ROOT_CONTEXT, so nothing to capture, span or not.
    expect(context.active()).toBe(ROOT_CONTEXT);
    expect(inSpan(true, capture)).toBeUndefined();
    // A manager registered after the capturer was made: the span it makes active is captured.
    const manager = new AsyncLocalStorageContextManager().enable();
    expect(context.setGlobalContextManager(manager)).toBe(true);
    const captured = inSpan(true, capture);
    expect(captured).toBeInstanceOf(CapturedContext);
    expect(trace.getSpanContext((captured as CapturedContext).context)).toEqual(spanContext(true));
    expect(capture()).toBeUndefined(); // outside the span
    expect(inSpan(false, capture)).toBeUndefined(); // not sampled
    // Disabled: gone from the API's globals, nothing captured again.
    context.disable();
    expect(inSpan(true, capture)).toBeUndefined();
    // Another manager: captured again.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    expect(inSpan(true, capture)).toBeInstanceOf(CapturedContext);
  });

  it("under the 'any' scope, also captures a span that is not sampled", () => {
    const { capture } = createContextCapture(() => 1, 'any');
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    expect(inSpan(false, capture)).toBeInstanceOf(CapturedContext);
  });

  it.each(['sampled', 'any'] as const)(
    "under the '%s' scope, captures nothing in an active context that holds no span (baggage, a value of its own)",
    (scope) => {
      const { capture } = createContextCapture(() => 1, scope);
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      const noSpan = ROOT_CONTEXT.setValue(createContextKey('app key'), 'value');
      expect(context.with(noSpan, capture)).toBeUndefined();
      // asked again in the same context, and a span afterwards is still captured
      expect(context.with(noSpan, capture)).toBeUndefined();
      expect(inSpan(true, capture)).toBeInstanceOf(CapturedContext);
    },
  );

  it('captures nothing, without throwing, in a process where nothing was ever registered with the OpenTelemetry API', () => {
    // `@opentelemetry/api` keeps its globals under this symbol, created at the first registration
    // (context manager, tracer or meter provider, diag logger): an application that passes its
    // providers to the bridge explicitly may never register anything.
    const key = Symbol.for('opentelemetry.js.api.1');
    const holder = globalThis as { [key]?: unknown };
    const saved = holder[key];
    delete holder[key];
    try {
      const { capture } = createContextCapture(() => 1, 'any');
      expect(capture()).toBeUndefined();
    } finally {
      if (saved !== undefined) holder[key] = saved;
    }
  });
});
