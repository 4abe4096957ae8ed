// The example service pushing over OTLP (the SDK default, http/protobuf) to a loopback collector:
// request spans, W3C trace-context propagation, semantic-convention HTTP metrics and Node's
// runtime metrics, decoded with OpenTelemetry's published protobuf definitions.
import { parseConfig, startDocumentService } from '@mvx-metrics/examples';
import { describe, expect, test } from 'vitest';
import { isolatedOtelEnv, type Json, until } from '../bridge/otel-env-support.js';
import { attributesOf, type OtlpReceiver, startOtlpReceiver } from '../bridge/otlp-receiver.js';

const { setEnv, cleanups } = isolatedOtelEnv();

interface Span {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: number;
  traceState?: string;
  attributes: Json[];
}

function spans(collector: OtlpReceiver): Span[] {
  return collector.requests
    .filter((r) => r.path === '/v1/traces')
    .flatMap((r) =>
      (r.body as Json).resourceSpans.flatMap((rs: Json) =>
        rs.scopeSpans.flatMap((s: Json) => s.spans),
      ),
    );
}

const sorted = (points: object[]) => points.map((p) => JSON.stringify(p)).sort();

function metrics(collector: OtlpReceiver): Json[] {
  const last = collector.requests.filter((r) => r.path === '/v1/metrics').at(-1);
  expect(last, 'a metrics export').toBeDefined();
  return (last as { body: Json }).body.resourceMetrics.flatMap((r: Json) =>
    r.scopeMetrics.flatMap((s: Json) => s.metrics),
  );
}

async function startService() {
  const collector = await startOtlpReceiver();
  cleanups.push(() => collector.close());
  setEnv({
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_METRIC_EXPORT_INTERVAL: '3600000', // only the final export on shutdown
  });
  const service = await startDocumentService(
    parseConfig(['--port', '0', '--metrics-port', '0', '--no-load'], {}),
    { log: () => {} },
  );
  cleanups.push(() => service.shutdown());
  expect(service.otlp).toBe('metrics http/protobuf, traces http/protobuf');
  return { collector, service };
}

describe('the example service over OTLP', () => {
  test('each request is a SERVER span, the domain events are its children, and shutdown exports metrics once more', async () => {
    const { collector, service } = await startService();
    const res = await fetch(`${service.serviceUrl}/documents/a`, { method: 'PUT', body: 'hello' });
    expect(res.status).toBe(201);
    await service.shutdown();

    const all = spans(collector);
    const request = all.find((s) => s.name === 'PUT /documents/:id');
    expect(request?.kind).toBe(2); // SPAN_KIND_SERVER
    const children = all.filter((s) => s.parentSpanId === request?.spanId);
    expect(children.map((s) => s.name)).toEqual(
      expect.arrayContaining(['DocumentSaveAttempt', 'HttpRequestServed']),
    );
    for (const child of children) expect(child.traceId).toBe(request?.traceId);
    expect(metrics(collector).map((m) => m.name)).toEqual(
      expect.arrayContaining(['docs.document.save.attempts', 'mvx.recorder.events']),
    );
  });

  test('a request carrying a W3C traceparent joins the caller trace: same trace id, the caller span as parent', async () => {
    const { collector, service } = await startService();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const res = await fetch(`${service.serviceUrl}/documents/traced`, {
      method: 'PUT',
      body: 'hello',
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01`, tracestate: 'vendor=abc' },
    });
    expect(res.status).toBe(201);
    await service.shutdown();

    const all = spans(collector);
    const server = all.find((s) => s.name === 'PUT /documents/:id');
    expect(server?.traceId).toBe(traceId);
    expect(server?.parentSpanId).toBe(callerSpanId);
    expect(server?.traceState).toBe('vendor=abc'); // tracestate travels with the trace
    const events = all.filter((s) => s.parentSpanId === server?.spanId);
    expect(events.map((s) => s.name)).toEqual(
      expect.arrayContaining(['DocumentSaveAttempt', 'HttpRequestServed']),
    );
    for (const event of events) expect(event.traceId).toBe(traceId);
  });

  test('HTTP server metrics follow the semantic conventions, and Node runtime metrics ride along', async () => {
    const { collector, service } = await startService();
    await fetch(`${service.serviceUrl}/documents/a`, { method: 'PUT', body: 'x' });
    await fetch(`${service.serviceUrl}/documents/faulty-1`, { method: 'PUT', body: 'x' }); // 503
    await fetch(`${service.serviceUrl}/nothing`);
    // The event-loop delay gauges report once the histogram holds 5 samples (10 ms apart).
    const scraped = async () => (await fetch(service.metricsUrl as string)).text();
    await until(async () => (await scraped()).includes('nodejs_eventloop_delay_p99_seconds'));
    await service.shutdown();

    const all = metrics(collector);
    const duration = all.find((m) => m.name === 'http.server.request.duration');
    expect(duration.unit).toBe('s');
    const points = duration.histogram.dataPoints.map((p: Json) => ({
      ...attributesOf(p.attributes),
      count: Number(p.count),
    }));
    // the status code is the int the semantic conventions define (OTLP intValue); error.type a string
    for (const p of duration.histogram.dataPoints as Json[]) {
      const status = (p.attributes as Json[]).find((a) => a.key === 'http.response.status_code');
      expect(Object.keys(status.value)).toEqual(['intValue']);
    }
    expect(points).toEqual(
      expect.arrayContaining([
        {
          'http.request.method': 'PUT',
          'http.route': '/documents/:id',
          'http.response.status_code': 201,
          'url.scheme': 'http',
          recorder: 'http_server',
          count: 1,
        },
        {
          'http.request.method': 'PUT',
          'http.route': '/documents/:id',
          'http.response.status_code': 503,
          'error.type': '503',
          'url.scheme': 'http',
          recorder: 'http_server',
          count: 1,
        },
        // no route matched: no http.route
        {
          'http.request.method': 'GET',
          'http.response.status_code': 404,
          'url.scheme': 'http',
          recorder: 'http_server',
          count: 1,
        },
      ]),
    );
    // The same requests as an OTLP ExponentialHistogram (`docs.request.latency`), series for series.
    const latency = all.find((m) => m.name === 'docs.request.latency');
    expect(latency?.unit).toBe('s');
    expect(latency?.exponentialHistogram?.aggregationTemporality).toBe(2); // CUMULATIVE
    const exponential = latency.exponentialHistogram.dataPoints.map((p: Json) => ({
      ...attributesOf(p.attributes),
      count: Number(p.count),
    }));
    expect(sorted(exponential)).toEqual(sorted(points));
    for (const p of latency.exponentialHistogram.dataPoints) {
      const inBuckets = (p.positive?.bucketCounts ?? []).reduce(
        (a: number, b: unknown) => a + Number(b),
        0,
      );
      expect(inBuckets + Number(p.zeroCount ?? 0)).toBe(Number(p.count));
      expect(p.scale).toBeLessThanOrEqual(20);
    }
    const names = all.map((m) => m.name);
    for (const runtime of [
      'nodejs.eventloop.delay.p99',
      'v8js.memory.heap.used',
      'nodejs.eventloop.utilization',
    ]) {
      expect(names).toContain(runtime);
    }
  });
});
