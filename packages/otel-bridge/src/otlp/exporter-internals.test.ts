import { createServer } from 'node:http';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { afterEach, describe, expect, it } from 'vitest';
import { ExporterClosedError } from './exporter-agents.js';
import { TransportControl, watchPartialSuccess } from './exporter-internals.js';

// The pipeline reaches into OpenTelemetry's OTLP exporters at two places (exporter-internals.ts).
// These tests hold the installed exporters to the shape it expects, so that an upgrade which
// changes it fails here instead of silently losing partial successes or prompt shutdowns.

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// biome-ignore lint/suspicious/noExplicitAny: OpenTelemetry internals under test
type Any = any;

const EXPORTERS = {
  'metrics http/protobuf': () => new ProtoMetricExporter({ url: 'http://127.0.0.1:1/v1/metrics' }),
  'metrics http/json': () => new JsonMetricExporter({ url: 'http://127.0.0.1:1/v1/metrics' }),
  'metrics grpc': () => new GrpcMetricExporter({ url: 'http://127.0.0.1:1' }),
  'traces http/protobuf': () => new ProtoTraceExporter({ url: 'http://127.0.0.1:1/v1/traces' }),
  'traces http/json': () => new JsonTraceExporter({ url: 'http://127.0.0.1:1/v1/traces' }),
  'traces grpc': () => new GrpcTraceExporter({ url: 'http://127.0.0.1:1' }),
};

describe('the OTLP exporters have the shape the pipeline hooks into', () => {
  for (const [name, make] of Object.entries(EXPORTERS)) {
    it(`${name}: the response handler is tapped and the retries are taken over`, async () => {
      const exporter: Any = make();
      cleanups.push(() => exporter.shutdown());
      const handler = exporter._delegate._responseHandler;
      const seen: unknown[] = [];
      watchPartialSuccess(exporter, (partial) => seen.push(partial));
      expect(exporter._delegate._responseHandler).not.toBe(handler);
      exporter._delegate._responseHandler.handleResponse({
        partialSuccess: { rejectedDataPoints: 2, errorMessage: 'no' },
      });
      exporter._delegate._responseHandler.handleResponse({ partialSuccess: {} }); // full success
      expect(seen).toEqual([{ rejectedDataPoints: 2, errorMessage: 'no' }]);

      const transport = exporter._delegate._transport;
      expect(typeof transport.shutdown).toBe('function'); // what close() calls
      new TransportControl(exporter);
      // the HTTP exporters retry in a RetryingTransport, taken over; gRPC leaves it to grpc-js
      expect(Object.hasOwn(transport, 'retry')).toBe(!name.includes('grpc'));
    });
  }
});

describe('TransportControl', () => {
  it('ends a retry the exporter waits for (503, Retry-After 30 s) when closed, and refuses later ones without a request', async () => {
    let requests = 0;
    const server = createServer((request, response) => {
      requests++;
      request.resume();
      request.on('end', () => {
        response.writeHead(503, { 'retry-after': '30' });
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as { port: number };
    const exporter: Any = new ProtoMetricExporter({
      url: `http://127.0.0.1:${port}/v1/metrics`,
      timeoutMillis: 60_000,
    });
    const control = new TransportControl(exporter);
    const transport = exporter._delegate._transport;
    const sent = transport.send(new Uint8Array([1, 2, 3]), 60_000);
    while (requests === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the 503 arrived; the retry waits
    control.close();
    const result = await sent;
    expect(result.status).toBe('failure');
    expect(result.error).toBeInstanceOf(ExporterClosedError);
    expect(requests).toBe(1);
    // a retry asked for after close() (an answer that arrived late) fails at once
    const late = await transport.retry(new Uint8Array([1]), 60_000, 30_000);
    expect(late.status).toBe('failure');
    expect(requests).toBe(1);
    control.close(); // idempotent
  });
});
