import { type MetricsRecorder, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { context, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, expect } from 'vitest';
import { documentMetrics, ExampleStorage } from './example-storage.js';
import { attributesOf } from './otlp-receiver.js';

// biome-ignore lint/suspicious/noExplicitAny: decoded OTLP payloads
export type Json = any;

/**
 * Every test starts with no `OTEL_*` variable set and gets the original environment back
 * afterwards; `cleanups` run last first. Returns `setEnv` and the cleanup list.
 */
export function isolatedOtelEnv() {
  const original = { ...process.env };
  const cleanups: Array<() => unknown> = [];
  const clear = () => {
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('OTEL_')) delete process.env[name];
    }
  };
  beforeEach(clear);
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    clear();
    for (const [name, value] of Object.entries(original)) {
      if (name.startsWith('OTEL_')) process.env[name] = value;
    }
  });
  const setEnv = (vars: Record<string, string>) => Object.assign(process.env, vars);
  return { setEnv, cleanups };
}

/** Reports a pipeline's `onError` received: code and message. */
export type Reports = Array<{ code?: unknown; message: string }>;

/**
 * A pipeline that exports one signal over OTLP to `endpoint` (the other's exporter `none`), with
 * shutdown's budget at 300 ms and its `onError` reports collected: the shape of the final-export
 * tests. `metricIntervalMs` keeps periodic metric exports out of the way.
 */
export async function budgetedPipeline(
  setEnv: (vars: Record<string, string>) => void,
  endpoint: string,
  exports: 'metrics' | 'traces',
  metricIntervalMs?: number,
): Promise<{ pipeline: OtelPipeline; reports: Reports }> {
  setEnv({
    [exports === 'metrics' ? 'OTEL_TRACES_EXPORTER' : 'OTEL_METRICS_EXPORTER']: 'none',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  });
  const reports: Reports = [];
  const pipeline = await createOtelPipeline({
    serviceName: 's',
    prometheus: false,
    registerGlobals: false,
    shutdownTimeoutMs: 300,
    ...(metricIntervalMs === undefined ? {} : { otlp: { intervalMs: metricIntervalMs } }),
    onError: (error) => reports.push(error as { code?: unknown; message: string }),
  });
  return { pipeline, reports };
}

/** The traffic of one request: a SERVER span, and the domain events registered inside it. */
export interface Workload {
  readonly recorder: MetricsRecorder;
  readonly requestSpan: { traceId: string; spanId: string };
  flush(): Promise<void>;
}

/**
 * Runtime + bridge (spans on) on `pipeline`, one recorder of every metric kind, and one request
 * whose span is active while the production code saves two documents.
 */
export async function runWorkload(
  pipeline: OtelPipeline,
  cleanups: Array<() => unknown>,
): Promise<Workload> {
  const runtime = new MetricsRuntime({ namespace: 'docs' });
  runtime.start();
  cleanups.push(() => runtime.shutdown());
  const bridge = attachOtelBridge(runtime, {
    meterProvider: pipeline.meterProvider,
    tracerProvider: pipeline.tracerProvider,
    spans: true,
  });
  cleanups.push(bridge.detach);
  const recorder = runtime.createRecorder('document_storage', { metrics: documentMetrics });
  const storage = new ExampleStorage(recorder);
  const request = pipeline.tracerProvider.getTracer('http').startSpan('PUT /documents/:id');
  await context.with(trace.setSpan(context.active(), request), async () => {
    await storage.save('a', 'hello', 0.02);
    await storage.save('b', 'hi', 0.3);
    await storage.save('', 'rejected'); // outcome invalid
    await storage.get('a');
    await storage.get('missing');
  });
  request.end();
  await recorder.flush();
  const { traceId, spanId } = request.spanContext();
  return {
    recorder,
    requestSpan: { traceId, spanId },
    flush: async () => {
      await pipeline.meterProvider.forceFlush();
      await pipeline.tracerProvider.forceFlush();
    },
  };
}

/** Every core point of `recorder` appears in the export with the same value (histograms: count, sum, buckets). */
export function expectExportEqualsCore(body: Json, recorder: MetricsRecorder): void {
  const scope = body.resourceMetrics[0].scopeMetrics.find((s: Json) => s.scope.name === 'docs');
  expect(scope).toBeDefined();
  let compared = 0;
  for (const snapshot of recorder.getMetricSnapshots()) {
    const metric = scope.metrics.find((m: Json) => m.name === `docs.${snapshot.name}`);
    expect(metric, snapshot.name).toBeDefined();
    const data = metric.sum ?? metric.gauge ?? metric.histogram;
    for (const point of snapshot.points) {
      const wanted = { ...point.attributes, recorder: recorder.name };
      const exported = data.dataPoints.find(
        (p: Json) =>
          JSON.stringify(sorted(attributesOf(p.attributes))) === JSON.stringify(sorted(wanted)),
      );
      expect(exported, `${snapshot.name} ${JSON.stringify(wanted)}`).toBeDefined();
      if ('value' in point) {
        expect(Number(exported.asDouble ?? exported.asInt ?? 0)).toBe(point.value);
      } else if (!('bucketCounts' in point)) {
        throw new Error(`${snapshot.name}: an exponential histogram is not compared here`);
      } else {
        expect(Number(exported.count)).toBe(point.count);
        expect(exported.sum).toBeCloseTo(point.sum, 12);
        expect(exported.bucketCounts.map(Number)).toEqual(point.bucketCounts);
        expect(exported.explicitBounds).toEqual(point.boundaries);
      }
      compared++;
    }
  }
  expect(compared).toBeGreaterThanOrEqual(4);
}

/** The domain-event spans are children of the request span, in its trace. */
export function expectEventSpansUnder(body: Json, request: Workload['requestSpan']): void {
  const spans = body.resourceSpans.flatMap((r: Json) => r.scopeSpans.flatMap((s: Json) => s.spans));
  const events = spans.filter((s: Json) => s.name === 'DocumentSaveAttempt');
  expect(events.length).toBe(3);
  for (const span of events) {
    expect(span.traceId).toBe(request.traceId);
    expect(span.parentSpanId).toBe(request.spanId);
  }
  const server = spans.find((s: Json) => s.name === 'PUT /documents/:id');
  expect(server?.spanId).toBe(request.spanId);
}

/** Resource attributes of the first resource in a metrics or traces payload. */
export function resourceOf(body: Json): Record<string, unknown> {
  const first = (body.resourceMetrics ?? body.resourceSpans)[0];
  return attributesOf(first.resource.attributes);
}

/** Waits (bounded) until `done()` holds; the test's own assertion decides afterwards. */
export async function until(done: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

function sorted(attributes: Record<string, unknown>): [string, unknown][] {
  return Object.entries(attributes)
    .map(([k, v]) => [k, String(v)] as [string, unknown])
    .sort(([a], [b]) => a.localeCompare(b));
}
