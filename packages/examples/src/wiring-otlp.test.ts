import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { parseConfig } from './config.js';
import { startDocumentService } from './wiring.js';

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: number;
}

/** A loopback OTLP/HTTP (JSON) receiver that keeps what it was sent. */
async function fakeCollector() {
  const bodies: { path: string; body: unknown }[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      bodies.push({ path: req.url ?? '', body: JSON.parse(text) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const spans = (): OtlpSpan[] =>
    bodies
      .filter((b) => b.path === '/v1/traces')
      .flatMap((b) =>
        (
          b.body as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }
        ).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
      );
  const metricNames = (): string[] =>
    bodies
      .filter((b) => b.path === '/v1/metrics')
      .flatMap((b) =>
        (
          b.body as { resourceMetrics: { scopeMetrics: { metrics: { name: string }[] }[] }[] }
        ).resourceMetrics.flatMap((r) =>
          r.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name)),
        ),
      );
  return { url: `http://127.0.0.1:${port}`, server, spans, metricNames };
}

let collector: Awaited<ReturnType<typeof fakeCollector>> | undefined;
afterEach(() => {
  collector?.server.close();
  collector = undefined;
});

describe('startDocumentService with OTLP', () => {
  test('each request is a SERVER span, the domain events are its children, and shutdown exports metrics once more', async () => {
    collector = await fakeCollector();
    const service = await startDocumentService(
      parseConfig(['--port', '0', '--metrics-port', '0', '--otlp-endpoint', collector.url], {
        OTEL_METRIC_EXPORT_INTERVAL: '3600000', // only the final export on shutdown
      }),
      { log: () => {} },
    );
    const res = await fetch(`${service.serviceUrl}/documents/a`, { method: 'PUT', body: 'hello' });
    expect(res.status).toBe(201);
    await service.shutdown();

    const spans = collector.spans();
    const request = spans.find((s) => s.name === 'PUT /documents/:id');
    expect(request?.kind).toBe(2); // SPAN_KIND_SERVER
    const children = spans.filter((s) => s.parentSpanId === request?.spanId);
    expect(children.map((s) => s.name)).toEqual(
      expect.arrayContaining(['DocumentSaveAttempt', 'HttpRequestServed']),
    );
    for (const child of children) expect(child.traceId).toBe(request?.traceId);
    expect(collector.metricNames()).toEqual(
      expect.arrayContaining(['docs.document.save.attempts', 'mvx.recorder.events']),
    );
  });
});
