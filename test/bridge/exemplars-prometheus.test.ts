import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { counter, histogram, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, waitFor } from '../e2e/support/processes.js';
import {
  type ExemplarSeries,
  prometheusAvailable,
  TestPrometheus,
} from '../e2e/support/prometheus.js';

/** Keeps every OTLP trace request body as sent (JSON or protobuf), to look span ids up in. */
async function startTraceReceiver(): Promise<{ url: string; bodies: Buffer[]; server: Server }> {
  const bodies: Buffer[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') bodies.push(Buffer.concat(chunks));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, server };
}

/** Whether a span id appears in an OTLP payload: hex in OTLP/JSON, 8 raw bytes in protobuf. */
function inPayload(bodies: Buffer[], spanId: string): boolean {
  const raw = Buffer.from(spanId, 'hex');
  return bodies.some((body) => body.includes(spanId) || body.includes(raw));
}

interface Save {
  type: 'save';
  seconds: number;
  note?: string;
}

// Bad input from the reliability suite: quotes, backslashes, a newline, an exemplar-like text.
const TRICKY = 'say "hi" \\ C:\\path\nsecond line # {trace_id="x"} 1';

describe.skipIf(!prometheusAvailable)('exemplars in a real Prometheus', () => {
  let pipeline: OtelPipeline;
  let runtime: MetricsRuntime;
  let prometheus: TestPrometheus | undefined;
  let receiver: Awaited<ReturnType<typeof startTraceReceiver>>;
  let detach: () => void;

  beforeAll(async () => {
    receiver = await startTraceReceiver();
    pipeline = await createOtelPipeline({
      serviceName: 'exemplar-test',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: { tracesUrl: `${receiver.url}/v1/traces`, metricsUrl: `${receiver.url}/v1/metrics` },
    });
    runtime = new MetricsRuntime({ namespace: 'ex' });
    runtime.start();
    detach = attachOtelBridge(runtime, {
      meterProvider: pipeline.meterProvider,
      tracerProvider: pipeline.tracerProvider,
      spans: true,
    }).detach;
    const target = new URL(pipeline.prometheusUrl as string).host;
    prometheus = await TestPrometheus.start([target], ['exemplar-storage']);
  }, 30_000);

  afterAll(async () => {
    await killAll();
    prometheus?.cleanup();
    await runtime?.shutdown();
    await pipeline?.shutdown();
    detach?.();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  it('stores exemplars whose trace ids are the requests’ and whose span ids were exported over OTLP', async () => {
    const recorder = runtime.createRecorder('storage', {
      metrics: () => [
        histogram<Save>({
          name: 'save.duration',
          unit: 's',
          on: 'save',
          value: (e) => e.seconds,
          attributes: (e) => ({ note: e.note }),
        }),
        counter<Save>({ name: 'saves', on: 'save', attributes: (e) => ({ note: e.note }) }),
      ],
    });
    const tracer = pipeline.tracerProvider.getTracer('requests');
    const requestTraces = new Set<string>();
    const requestSpans = new Set<string>();
    const request = (i: number) =>
      tracer.startActiveSpan('PUT /documents/:id', (span) => {
        requestTraces.add(span.spanContext().traceId);
        requestSpans.add(span.spanContext().spanId);
        recorder.registerEvent({ type: 'save', seconds: [0.003, 0.04, 0.7, 3][i % 4] as number });
        span.end();
      });
    // A huge value and tricky label values, inside a request: Prometheus must still take every scrape.
    tracer.startActiveSpan('PUT /documents/:id', (span) => {
      requestTraces.add(span.spanContext().traceId);
      requestSpans.add(span.spanContext().spanId);
      recorder.registerEvent({ type: 'save', seconds: 1e308, note: TRICKY });
      span.end();
    });
    // Requests keep coming while Prometheus scrapes every second, for at most 20 s.
    let i = 0;
    const load = setInterval(() => request(i++), 50);
    let found: ExemplarSeries[];
    try {
      found = await waitFor(
        'exemplars of all four buckets and the counter in Prometheus',
        async () => {
          const series = await (prometheus as TestPrometheus).exemplars(
            '{__name__=~"ex_save_duration_seconds_bucket|ex_saves_total"}',
          );
          const withExemplars = series.filter((s) => s.exemplars.length > 0);
          // four buckets and the counter of the plain series, the +Inf bucket of the tricky one
          return withExemplars.length >= 6 ? series : undefined;
        },
        20_000,
      );
    } finally {
      clearInterval(load);
    }
    await pipeline.tracerProvider.forceFlush();

    const exemplars = found.flatMap((s) => s.exemplars.map((e) => ({ series: s.seriesLabels, e })));
    expect(exemplars.length).toBeGreaterThanOrEqual(5);
    for (const { series, e } of exemplars) {
      expect(requestTraces.has(e.labels.trace_id as string)).toBe(true);
      expect(inPayload(receiver.bodies, e.labels.span_id as string)).toBe(true);
      // spans: true: the exemplar points at the domain event's own span, inside the request
      expect(requestSpans.has(e.labels.span_id as string)).toBe(false);
      if (series.__name__ === 'ex_save_duration_seconds_bucket') {
        expect(Number(e.value)).toBeLessThanOrEqual(
          Number(series.le === '+Inf' ? Infinity : series.le),
        );
      }
    }
    // Prometheus scraped OpenMetrics without a failed scrape, the tricky series included
    const up = await (prometheus as TestPrometheus).query('up');
    expect(up.map((s) => s.value[1])).toEqual(['1']);
    const tricky = await (prometheus as TestPrometheus).query('ex_saves_total{note!=""}');
    expect(tricky.map((s) => s.metric.note)).toEqual([TRICKY]);
    const huge = found.find((s) => s.seriesLabels.note === TRICKY && s.seriesLabels.le === '+Inf');
    expect(huge?.exemplars.map((e) => Number(e.value))).toEqual([1e308]);
  }, 40_000);
});
