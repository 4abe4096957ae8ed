import { counter, type MetricsError, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { afterEach, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../bridge/otlp-receiver.js';
import { manualScheduler, originOf, probe } from './probe-client.js';

// biome-ignore lint/suspicious/noExplicitAny: decoded OTLP/JSON
type Json = any;

const saves = () => [counter({ name: 'saves', on: 'save' })];
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function receiver(port?: number): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver(port === undefined ? {} : { port });
  let closed = false;
  const close = r.close;
  const once = async () => {
    if (closed) return;
    closed = true;
    await close();
  };
  cleanup.push(once);
  return { ...r, close: once };
}

async function otlpPipeline(
  url: string,
  errors: Error[],
  exportFailuresUntilUnready?: number,
): Promise<OtelPipeline> {
  const pipeline = await createOtelPipeline({
    serviceName: 'outage-test',
    prometheus: { host: '127.0.0.1', port: 0 },
    // Exports happen when the test flushes: one attempt per forceFlush, no timer involved.
    // A refused connection is retried until the export timeout: keep it short.
    otlp: {
      metricsUrl: `${url}/v1/metrics`,
      protocol: 'http/protobuf',
      intervalMs: 600_000,
      timeoutMs: 2_000, // connection refused fails at once; a slow success under load must not count as a failure
    },
    registerGlobals: false,
    onError: (error) => errors.push(error),
    ...(exportFailuresUntilUnready === undefined ? {} : { health: { exportFailuresUntilUnready } }),
  });
  cleanup.push(() => pipeline.shutdown());
  return pipeline;
}

function runtimeStates(body: Json, namespace: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const rm of body.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        if (m.name !== 'mvx.runtime.state') continue;
        for (const p of m.sum.dataPoints) {
          const attrs = Object.fromEntries(
            p.attributes.map((a: Json) => [a.key, a.value.stringValue]),
          );
          if (attrs['mvx.namespace'] === namespace)
            out[attrs.state] = Number(p.asDouble ?? p.asInt);
        }
      }
    }
  }
  return out;
}

function savesValue(body: Json): number | undefined {
  for (const rm of body.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      const m = (sm.metrics ?? []).find((x: Json) => x.name === 'docs.saves');
      if (m !== undefined) return Number(m.sum.dataPoints[0].asDouble ?? m.sum.dataPoints[0].asInt);
    }
  }
  return undefined;
}

describe('readiness across an OTLP outage and recovery', () => {
  it('turns 503 after N consecutive failed exports and 200 again after the next success', async () => {
    const up = await receiver();
    const port = Number(new URL(up.url).port);
    const errors: Error[] = [];
    const pipeline = await otlpPipeline(up.url, errors, 2);
    const base = originOf(pipeline.prometheusUrl);
    const runtime = new MetricsRuntime({ namespace: 'docs', onError: () => {} });
    const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    cleanup.push(async () => bridge.detach());
    runtime.start();
    runtime.createRecorder('storage', { metrics: saves() }).registerEvent({ type: 'save' });

    await pipeline.meterProvider.forceFlush();
    expect(up.bodies.get('/v1/metrics')).toHaveLength(1);
    expect((await probe(base, '/readyz')).status).toBe(200);

    // The collector goes away: connection refused on every attempt.
    await up.close();
    await pipeline.meterProvider.forceFlush();
    expect((await probe(base, '/readyz')).status).toBe(200); // 1 failure < 2
    await pipeline.meterProvider.forceFlush();
    const down = await probe(base, '/readyz');
    expect(down.status).toBe(503);
    expect(down.body?.reasons).toEqual([
      'metric export "otlp" failed on its last 2 consecutive attempts (unready from 2)',
    ]);
    // An outage is not a reason to restart the process.
    expect((await probe(base, '/healthz')).status).toBe(200);
    expect(errors.some((e) => (e as MetricsError).code === 'export-failed')).toBe(true);

    // The collector comes back where it was.
    const back = await receiver(port);
    await pipeline.meterProvider.forceFlush();
    expect(back.bodies.get('/v1/metrics')?.length).toBeGreaterThanOrEqual(1);
    const ready = await probe(base, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body?.reasons).toEqual([]);
    await runtime.shutdown();
  });

  it('defaults to 3 consecutive failures', async () => {
    const gone = await receiver();
    await gone.close();
    const pipeline = await otlpPipeline(gone.url, []);
    const base = originOf(pipeline.prometheusUrl);
    // Something to export: a reader with no data makes no attempt at all.
    const runtime = new MetricsRuntime({ namespace: 'docs', onError: () => {} });
    const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    cleanup.push(async () => bridge.detach());
    runtime.start();
    runtime.createRecorder('storage', { metrics: saves() }).registerEvent({ type: 'save' });
    for (const expected of [200, 200, 503]) {
      await pipeline.meterProvider.forceFlush();
      expect((await probe(base, '/readyz')).status).toBe(expected);
    }
    expect((await probe(base, '/readyz')).body?.reasons).toEqual([
      'metric export "otlp" failed on its last 3 consecutive attempts (unready from 3)',
    ]);
  });

  it('rejects an exportFailuresUntilUnready that is not a whole number of at least 1', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '3', null]) {
      await expect(
        createOtelPipeline({
          serviceName: 'x',
          prometheus: false,
          otlp: false,
          registerGlobals: false,
          health: { exportFailuresUntilUnready: bad as never },
        }),
      ).rejects.toThrow(/health.exportFailuresUntilUnready must be a whole number of at least 1/);
    }
  });
});

describe('the final export on a terminal state', () => {
  it('exports the drained state once the runtime drained, without waiting for pipeline.shutdown()', async () => {
    const collector = await receiver();
    const pipeline = await otlpPipeline(collector.url, []);
    const runtime = new MetricsRuntime({ namespace: 'docs', onError: () => {} });
    const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    cleanup.push(async () => bridge.detach());
    runtime.start();
    const recorder = runtime.createRecorder('storage', { metrics: saves() });
    for (let i = 0; i < 4; i++) recorder.registerEvent({ type: 'save' });
    await runtime.shutdown();
    await expect
      .poll(() => collector.bodies.get('/v1/metrics')?.length ?? 0, { timeout: 5_000 })
      .toBe(1);
    const [body] = collector.bodies.get('/v1/metrics') as Json[];
    expect(runtimeStates(body, 'docs')).toEqual({
      initializing: 0,
      running: 0,
      draining: 0,
      drained: 1,
      failed: 0,
    });
    expect(savesValue(body)).toBe(4);
  });

  it('exports what a failed runtime has, its lost events counted as dropped', async () => {
    const collector = await receiver();
    const pipeline = await otlpPipeline(collector.url, []);
    const runtime = new MetricsRuntime({
      namespace: 'docs',
      onError: () => {},
      scheduler: manualScheduler(),
    });
    const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    cleanup.push(async () => bridge.detach());
    runtime.start();
    const recorder = runtime.createRecorder('storage', { metrics: saves() });
    for (let i = 0; i < 3; i++) recorder.registerEvent({ type: 'save' });
    await runtime.shutdown({ timeoutMs: 10 });
    await expect
      .poll(() => collector.bodies.get('/v1/metrics')?.length ?? 0, { timeout: 5_000 })
      .toBe(1);
    const [body] = collector.bodies.get('/v1/metrics') as Json[];
    expect(runtimeStates(body, 'docs').failed).toBe(1);
    const events = body.resourceMetrics[0].scopeMetrics
      .flatMap((s: Json) => s.metrics)
      .find((m: Json) => m.name === 'mvx.recorder.events');
    const dropped = events.sum.dataPoints.find((p: Json) =>
      p.attributes.some((a: Json) => a.key === 'outcome' && a.value.stringValue === 'dropped'),
    );
    expect(Number(dropped.asDouble ?? dropped.asInt)).toBe(3);
  });

  it('pipeline.shutdown() waits for a runtime still draining, so the last export shows it drained', async () => {
    const collector = await receiver();
    const pipeline = await otlpPipeline(collector.url, []);
    const scheduler = manualScheduler();
    const runtime = new MetricsRuntime({ namespace: 'docs', onError: () => {}, scheduler });
    const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    cleanup.push(async () => bridge.detach());
    runtime.start();
    const recorder = runtime.createRecorder('storage', { metrics: saves() });
    for (let i = 0; i < 6; i++) recorder.registerEvent({ type: 'save' });
    // The service forgot to await runtime.shutdown() before pipeline.shutdown().
    void runtime.shutdown({ timeoutMs: 60_000 });
    const stopped = pipeline.shutdown();
    await new Promise((resolve) => setTimeout(resolve, 20));
    scheduler.runAll();
    await stopped;
    // The bridge's export on 'drained', then the provider's own final export: both see it drained.
    const bodies = collector.bodies.get('/v1/metrics') as Json[];
    expect(bodies).toHaveLength(2);
    for (const body of bodies) {
      expect(runtimeStates(body, 'docs').drained).toBe(1);
      expect(savesValue(body)).toBe(6);
    }
  });

  it('reports a failed final export through onError before pipeline.shutdown() resolves', async () => {
    const gone = await receiver();
    await gone.close();
    const errors: Error[] = [];
    const pipeline = await otlpPipeline(gone.url, errors);
    const runtime = new MetricsRuntime({ namespace: 'docs', onError: () => {} });
    const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    cleanup.push(async () => bridge.detach());
    runtime.start();
    runtime.createRecorder('storage', { metrics: saves() }).registerEvent({ type: 'save' });
    await runtime.shutdown();
    await pipeline.shutdown();
    const failed = errors.filter((e) => (e as MetricsError).code === 'export-failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
  });
});
