// createOtelPipeline's wiring at its edges, each in a few milliseconds (no export interval waited
// for): which globals it installs and gives back, what a disabled pipeline answers, where its
// Views apply, which readers count their exports, what readiness names, what a final export
// cut short by shutdown's budget reports. Kept apart from the pipeline's other tests so that a
// mutation run of src/pipeline re-tests only what this covers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import {
  context,
  createContextKey,
  metrics,
  propagation,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { budgetedPipeline, isolatedOtelEnv, until } from './otel-env-support.js';
import { startOtlpReceiver } from './otlp-receiver.js';

const { setEnv, cleanups } = isolatedOtelEnv();

const KEY = createContextKey('pipeline-edges');
/** Whether a context manager that carries values is installed globally. */
const contextCarries = () =>
  context.with(ROOT_CONTEXT.setValue(KEY, 1), () => context.active().getValue(KEY)) === 1;
const globalTracerProvider = () =>
  (trace.getTracerProvider() as unknown as { getDelegate(): unknown }).getDelegate();

function resetGlobals() {
  metrics.disable();
  trace.disable();
  propagation.disable();
  context.disable();
}
afterEach(resetGlobals);

/** The pipeline's own handler, served on a loopback port: GET `path`. */
async function get(pipeline: OtelPipeline, path: string) {
  const server: Server = createServer(pipeline.requestHandler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, body: await response.text() };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A loopback port nothing listens on (connections refused at once). */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('createOtelPipeline globals', () => {
  it('installs the four globals where none is, and gives each back at shutdown', async () => {
    resetGlobals();
    const pipeline = await createOtelPipeline({ serviceName: 's', prometheus: false, otlp: false });
    expect(metrics.getMeterProvider()).toBe(pipeline.meterProvider);
    expect(globalTracerProvider()).toBe(pipeline.tracerProvider);
    expect(propagation.fields()).toEqual(pipeline.propagator.fields());
    expect(contextCarries()).toBe(true);
    await pipeline.shutdown();
    expect(metrics.getMeterProvider()).not.toBe(pipeline.meterProvider);
    expect(globalTracerProvider()).not.toBe(pipeline.tracerProvider);
    expect(propagation.fields()).toEqual([]);
    expect(contextCarries()).toBe(false);
  });

  it.each([
    ['registerGlobals: false', { registerGlobals: false }],
    ['disabled', { disabled: true }],
    ['disabled, registerGlobals: true', { disabled: true, registerGlobals: true }],
  ])('installs no global with %s', async (_, options) => {
    resetGlobals();
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      prometheus: false,
      otlp: false,
      ...options,
    });
    cleanups.push(() => pipeline.shutdown());
    expect(metrics.getMeterProvider()).not.toBe(pipeline.meterProvider);
    expect(globalTracerProvider()).not.toBe(pipeline.tracerProvider);
    expect(propagation.fields()).toEqual([]);
    expect(contextCarries()).toBe(false);
  });

  it('keeps the globals installed before it (a NodeSDK’s), during and after its life', async () => {
    resetGlobals();
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    const tracerProvider = new BasicTracerProvider();
    trace.setGlobalTracerProvider(tracerProvider);
    const propagator = new W3CTraceContextPropagator();
    propagation.setGlobalPropagator(propagator);
    const meterProvider = new MeterProvider();
    metrics.setGlobalMeterProvider(meterProvider);
    const pipeline = await createOtelPipeline({ serviceName: 's', prometheus: false, otlp: false });
    expect(metrics.getMeterProvider()).toBe(meterProvider);
    await pipeline.shutdown();
    expect(metrics.getMeterProvider()).toBe(meterProvider);
    expect(globalTracerProvider()).toBe(tracerProvider);
    expect(propagation.fields()).toEqual(propagator.fields());
    expect(contextCarries()).toBe(true);
  });
});

describe('a disabled pipeline', () => {
  it('answers what nothing configured answers, serves its probes, and a bridge on it reports nothing', async () => {
    const reports: Error[] = [];
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      disabled: true,
      onError: (error) => reports.push(error),
    });
    cleanups.push(() => pipeline.shutdown());
    expect(pipeline.disabled).toBe(true);
    expect(pipeline.exporters).toEqual({ metrics: [], traces: [], protocols: {} });
    expect(pipeline.otlpEnabled).toBe(false);
    expect(pipeline.exemplarFilter).toBe('trace_based');
    expect(pipeline.prometheusUrl).toBeUndefined();
    expect((await get(pipeline, '/healthz')).status).toBe(200);
    expect((await get(pipeline, '/metrics')).status).toBe(404);
    const runtime = new MetricsRuntime({ namespace: 'docs', scheduler: 'sync' });
    runtime.start();
    cleanups.push(() => runtime.shutdown());
    const bridgeReports: Error[] = [];
    // Core untouched: no exemplars, so no context capturer either.
    const capture = vi.spyOn(runtime, 'setContextCapture');
    const bridge = attachOtelBridge(runtime, {
      meterProvider: pipeline.meterProvider,
      onError: (error) => bridgeReports.push(error),
    });
    cleanups.push(bridge.detach);
    expect(capture).not.toHaveBeenCalled();
    expect(bridgeReports).toEqual([]);
    expect(reports).toEqual([]);
  });
});

describe('createOtelPipeline readers', () => {
  it('applies its Views to the user’s own instruments too, and serves /metrics through requestHandler when it does not listen', async () => {
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      otlp: false,
      registerGlobals: false,
      prometheus: { listen: false },
      views: [{ instrumentName: 'app.requests', name: 'app.renamed' }],
    });
    cleanups.push(() => pipeline.shutdown());
    expect(pipeline.prometheusUrl).toBeUndefined();
    pipeline.meterProvider.getMeter('app').createCounter('app.requests').add(3);
    const { status, body } = await get(pipeline, '/metrics');
    expect(status).toBe(200);
    expect(body).toMatch(/^app_renamed_total\{[^}]*\} 3$/m);
    expect(body).not.toContain('app_requests');
    // No push exporter: nothing counts exports.
    expect(body).not.toContain('mvx_export');
  });

  it.each([
    ['metrics only', { OTEL_TRACES_EXPORTER: 'none' }, ['otlp'], []],
    ['traces only', { OTEL_METRICS_EXPORTER: 'none' }, [], ['otlp']],
    ['neither', { OTEL_METRICS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'none' }, [], []],
  ])('otlpEnabled with OTLP for %s', async (_, env, metricExporters, traceExporters) => {
    setEnv({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: await refusedUrl() });
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      prometheus: false,
      registerGlobals: false,
      shutdownTimeoutMs: 200,
      onError: () => {},
    });
    cleanups.push(() => pipeline.shutdown());
    expect(pipeline.exporters).toMatchObject({ metrics: metricExporters, traces: traceExporters });
    expect(pipeline.otlpEnabled).toBe(metricExporters.length + traceExporters.length > 0);
  });

  it('counts an OTLP reader’s exports in its own self-telemetry, and names the exporter when readiness fails', async () => {
    const reports: Error[] = [];
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      registerGlobals: false,
      prometheus: { listen: false },
      otlp: {
        endpoint: `${await refusedUrl()}/v1/metrics`,
        intervalMs: 3_600_000,
        timeoutMs: 500,
      },
      health: { exportFailuresUntilUnready: 1 },
      shutdownTimeoutMs: 200,
      onError: (error) => reports.push(error),
    });
    cleanups.push(() => pipeline.shutdown());
    expect(JSON.parse((await get(pipeline, '/readyz')).body)).toMatchObject({ status: 'ok' });
    pipeline.meterProvider.getMeter('app').createCounter('app.requests').add(1);
    await pipeline.meterProvider.forceFlush();
    const ready = JSON.parse((await get(pipeline, '/readyz')).body) as { reasons: string[] };
    expect(ready.reasons).toEqual([
      'metric export "otlp" failed on its last 1 consecutive attempts (unready from 1)',
    ]);
    expect((await get(pipeline, '/metrics')).body).toMatch(/^mvx_export_data_points_total\{/m);
    expect(reports.length).toBeGreaterThan(0);
  });
});

describe('the final export cut short by shutdown’s budget', () => {
  it('reports the spans a black-holed collector never took, naming the budget, before shutdown resolves', async () => {
    const collector = await startOtlpReceiver({ hang: true });
    cleanups.push(() => collector.close());
    const { pipeline, reports } = await budgetedPipeline(setEnv, collector.url, 'traces');
    pipeline.tracerProvider.getTracer('t').startSpan('lost').end();
    await pipeline.shutdown();
    const messages = reports.map((r) => `${String(r.code)}: ${r.message}`);
    expect(messages).toContain(
      "export-failed: The final span export did not finish within shutdown's budget (shutdownTimeoutMs, 300 ms); its spans were not exported",
    );
    const count = reports.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(reports).toHaveLength(count);
  });

  it('reports a final metric export a black-holed collector never answered once, as cut short by the budget, not as the SDK’s timeout', async () => {
    const collector = await startOtlpReceiver({ hang: true });
    cleanups.push(() => collector.close());
    const { pipeline, reports } = await budgetedPipeline(
      setEnv,
      collector.url,
      'metrics',
      3_600_000,
    );
    pipeline.meterProvider.getMeter('app').createCounter('app.requests').add(1);
    await pipeline.shutdown();
    expect(reports.map((r) => r.code)).toEqual(['export-failed']);
    expect(reports[0]?.message).toMatch(
      /final metric export .*was still open when shutdown's budget \(shutdownTimeoutMs, 300 ms\) ran out/,
    );
  });

  it('reports nothing when the final exports had nothing to send or were taken', async () => {
    const collector = await startOtlpReceiver();
    cleanups.push(() => collector.close());
    setEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    const reports: Error[] = [];
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      prometheus: false,
      registerGlobals: false,
      shutdownTimeoutMs: 2_000,
      otlp: { intervalMs: 3_600_000 },
      onError: (error) => reports.push(error),
    });
    await pipeline.shutdown();
    expect(reports).toEqual([]);
  });
});

describe('the pipeline’s span batching (OTEL_BSP_*), as a collector sees it', () => {
  async function tracesPipeline(env: Record<string, string>, hang = false) {
    const collector = await startOtlpReceiver({ hang });
    cleanups.push(() => collector.close());
    setEnv({
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '3600000',
      ...env,
    });
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      prometheus: false,
      registerGlobals: false,
      shutdownTimeoutMs: 300,
      onError: () => {},
    });
    cleanups.push(() => pipeline.shutdown());
    const tracer = pipeline.tracerProvider.getTracer('t');
    const spans = (n: number) => {
      for (let i = 0; i < n; i++) tracer.startSpan(`s${i}`).end();
    };
    const requests = () => collector.requests.filter((r) => r.path === '/v1/traces').length;
    const exported = () =>
      JSON.stringify(collector.bodies.get('/v1/traces') ?? []).match(/"spanId"/g)?.length ?? 0;
    return { pipeline, spans, requests, exported };
  }

  it('OTEL_BSP_MAX_EXPORT_BATCH_SIZE: one request per batch', async () => {
    const { pipeline, spans, requests } = await tracesPipeline({
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1',
    });
    spans(3);
    await pipeline.tracerProvider.forceFlush();
    expect(requests()).toBe(3);
  });

  it('OTEL_BSP_MAX_QUEUE_SIZE: spans beyond the queue are dropped', async () => {
    const { pipeline, spans, exported } = await tracesPipeline({
      OTEL_BSP_MAX_QUEUE_SIZE: '2',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2',
    });
    // The first two go at once; the next two wait in the queue while they are exported; the
    // fifth finds the queue full.
    spans(5);
    await pipeline.tracerProvider.forceFlush();
    expect(exported()).toBe(4);
  });

  it('OTEL_BSP_EXPORT_TIMEOUT: a batch a collector never answers fails at that timeout', async () => {
    const { pipeline, spans } = await tracesPipeline(
      { OTEL_BSP_EXPORT_TIMEOUT: '100', OTEL_EXPORTER_OTLP_TIMEOUT: '5000' },
      true,
    );
    spans(1);
    // The batch processor's own timer, not the exporter's (5 s): one `Timeout` per processor.
    const failure: unknown = await pipeline.tracerProvider.forceFlush().then(
      () => 'resolved',
      (reason: unknown) => reason,
    );
    expect(failure).toEqual([new Error('Timeout')]);
  });
});

describe('a bridged runtime’s terminal state', () => {
  it('flushes the pipeline’s push readers at once, before the pipeline shuts down', async () => {
    const collector = await startOtlpReceiver();
    cleanups.push(() => collector.close());
    setEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      prometheus: false,
      registerGlobals: false,
      otlp: { intervalMs: 3_600_000 },
    });
    cleanups.push(() => pipeline.shutdown());
    const runtime = new MetricsRuntime({ namespace: 'docs', scheduler: 'sync' });
    runtime.start();
    const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    cleanups.push(bridge.detach);
    await runtime.shutdown();
    await until(() => collector.requests.some((r) => r.path === '/v1/metrics'), 3_000);
    expect(collector.requests.map((r) => r.path)).toContain('/v1/metrics');
  });
});
