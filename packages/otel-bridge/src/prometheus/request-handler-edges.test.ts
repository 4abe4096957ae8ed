// The pipeline's request handler at its edges, with a stand-in exporter and response: which
// requests it serves (GET and HEAD only, the metrics path only with Prometheus on, a missing URL
// read as `/`, `next` for the rest), the probes' status, headers and HEAD answers, the text body's
// last line completed, collection errors logged to `diag`, and what each format answers when the
// protobuf encoding or the collection fails. Reads OpenTelemetry's `diag` (ISOLATED_UNITS).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { CollectionResult, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HealthReport, PipelineHealth } from '../health/health.js';
import { createRequestHandler, type MetricsSource } from './request-handler.js';

const OK: HealthReport = { status: 'ok', reasons: [], runtimes: [] };
const DOWN: HealthReport = { status: 'unavailable', reasons: ['draining'], runtimes: [] };

function health(liveness = OK, readiness = OK): PipelineHealth {
  return { liveness: () => liveness, readiness: () => readiness } as unknown as PipelineHealth;
}

class FakeResponse {
  statusCode = 0;
  readonly headers: Record<string, unknown> = {};
  body: unknown = 'never ended';
  ends = 0;
  private resolve: () => void = () => {};
  readonly ended = new Promise<void>((resolve) => {
    this.resolve = resolve;
  });
  setHeader(name: string, value: unknown): this {
    this.headers[name] = value;
    return this;
  }
  end(chunk?: unknown): this {
    this.body = chunk;
    this.ends++;
    this.resolve();
    return this;
  }
}

const EMPTY: ResourceMetrics = { resource: { attributes: {} } as never, scopeMetrics: [] };

function source(
  collect: () => Promise<CollectionResult>,
  serialize: (data: ResourceMetrics) => string = () => '# no registered metrics',
): MetricsSource {
  return {
    exporter: { collect } as never,
    serializer: { serialize } as never,
    naming: 'opentelemetry',
  };
}

const collected =
  (errors: unknown[] = [], resourceMetrics = EMPTY) =>
  async () => ({
    resourceMetrics,
    errors,
  });

function request(
  method: string | undefined,
  url: string | undefined,
  accept?: string,
): IncomingMessage {
  return { method, url, headers: accept === undefined ? {} : { accept } } as IncomingMessage;
}

async function serve(
  handler: ReturnType<typeof createRequestHandler>,
  req: IncomingMessage,
): Promise<FakeResponse> {
  const response = new FakeResponse();
  handler(req, response as unknown as ServerResponse);
  await response.ended;
  return response;
}

const PROTOBUF =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';
const OPENMETRICS = 'application/openmetrics-text;version=1.0.0';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createRequestHandler: which requests it serves', () => {
  it('serves the metrics path to GET and HEAD, ends the text body with a newline', async () => {
    const handler = createRequestHandler(source(collected()), '/metrics', health());
    for (const method of ['GET', 'HEAD']) {
      const response = await serve(handler, request(method, '/metrics?x=1'));
      expect([response.statusCode, response.headers['content-type'], response.body]).toEqual([
        200,
        'text/plain',
        '# no registered metrics\n',
      ]);
    }
  });

  it('answers 404 to other methods, and to the metrics path with Prometheus off', async () => {
    const on = createRequestHandler(source(collected()), '/metrics', health());
    for (const path of ['/metrics', '/healthz', '/readyz']) {
      const response = await serve(on, request('POST', path));
      expect([response.statusCode, response.body]).toEqual([404, undefined]);
    }
    const off = createRequestHandler(undefined, '/metrics', health());
    const response = await serve(off, request('GET', '/metrics'));
    expect([response.statusCode, response.body]).toEqual([404, undefined]);
  });

  it('reads a request without a URL as `/`', async () => {
    const handler = createRequestHandler(source(collected()), '/', health());
    const response = await serve(handler, request('GET', undefined));
    expect(response.body).toBe('# no registered metrics\n');
  });

  it('hands what it does not serve to `next`, without answering', () => {
    const handler = createRequestHandler(source(collected()), '/metrics', health());
    const response = new FakeResponse();
    const next = vi.fn();
    handler(request('GET', '/other'), response as unknown as ServerResponse, next);
    handler(request('DELETE', '/metrics'), response as unknown as ServerResponse, next);
    expect(next.mock.calls).toEqual([[], []]);
    expect(response.ends).toBe(0);
  });
});

describe('createRequestHandler: the probes', () => {
  it('answers JSON, never cached, with its length; HEAD without the body', async () => {
    const handler = createRequestHandler(undefined, '', health(OK, DOWN));
    const body = `${JSON.stringify(OK)}\n`;
    const get = await serve(handler, request('GET', '/healthz'));
    expect([get.statusCode, get.headers, get.body]).toEqual([
      200,
      {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(body),
      },
      body,
    ]);
    const head = await serve(handler, request('HEAD', '/healthz'));
    expect([head.statusCode, head.headers['content-length'], head.body]).toEqual([
      200,
      Buffer.byteLength(body),
      undefined,
    ]);
  });

  it('answers 503 with the reasons when not ok', async () => {
    const handler = createRequestHandler(undefined, '', health(OK, DOWN));
    const response = await serve(handler, request('GET', '/readyz'));
    expect([response.statusCode, response.body]).toEqual([503, `${JSON.stringify(DOWN)}\n`]);
  });
});

describe('createRequestHandler: failures', () => {
  it('logs the collection’s errors to diag, and nothing when there are none', async () => {
    const error = vi.spyOn(diag, 'error').mockImplementation(() => {});
    const clean = createRequestHandler(source(collected()), '/metrics', health());
    await serve(clean, request('GET', '/metrics'));
    expect(error).not.toHaveBeenCalled();
    const problem = new Error('a view failed');
    const failing = createRequestHandler(source(collected([problem])), '/metrics', health());
    const response = await serve(failing, request('GET', '/metrics'));
    expect(error.mock.calls).toEqual([['PrometheusExporter: metrics collection errors', problem]]);
    expect(response.statusCode).toBe(200);
  });

  it('answers 500 in plain text, and logs, when the protobuf encoding throws', async () => {
    const error = vi.spyOn(diag, 'error').mockImplementation(() => {});
    // a collection without a resource: the encoder's first read throws
    const broken = { resource: undefined, scopeMetrics: [] } as unknown as ResourceMetrics;
    const handler = createRequestHandler(source(collected([], broken)), '/metrics', health());
    const response = await serve(handler, request('GET', '/metrics', PROTOBUF));
    expect([response.statusCode, response.headers['content-type']]).toEqual([500, 'text/plain']);
    expect(response.body).toMatch(/^# failed to encode metrics: TypeError: .+\n$/);
    expect(error.mock.calls.map(([message, cause]) => [message, String(cause)])).toEqual([
      ['otel-bridge: the protobuf exposition failed', expect.stringMatching(/^TypeError: /)],
    ]);
  });

  it('answers a failed collection with its message: 200 in text (as the exporter), 500 in the other formats', async () => {
    const handler = createRequestHandler(
      source(async () => Promise.reject(new Error('exporter down'))),
      '/metrics',
      health(),
    );
    for (const [accept, status] of [
      [undefined, 200],
      [OPENMETRICS, 500],
      [PROTOBUF, 500],
    ] as const) {
      const response = await serve(handler, request('GET', '/metrics', accept));
      expect([response.statusCode, response.headers['content-type'], response.body]).toEqual([
        status,
        'text/plain',
        '# failed to export metrics: Error: exporter down\n',
      ]);
    }
  });
});
