import { counter, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge, type OtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { afterEach, describe, expect, it } from 'vitest';
import { manualScheduler, originOf, probe, stateSamples } from './probe-client.js';

const saves = () => [counter({ name: 'saves', on: 'save' })];

interface Served {
  pipeline: OtelPipeline;
  runtime: MetricsRuntime;
  bridge: OtelBridge;
  base: string;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serve(
  runtimeOptions: Partial<ConstructorParameters<typeof MetricsRuntime>[0]> = {},
): Promise<Served> {
  const pipeline = await createOtelPipeline({
    serviceName: 'health-test',
    prometheus: { host: '127.0.0.1', port: 0 },
    otlp: false,
    registerGlobals: false,
  });
  cleanup.push(() => pipeline.shutdown());
  const runtime = new MetricsRuntime({ namespace: 'docs', onError: () => {}, ...runtimeOptions });
  cleanup.push(() => runtime.shutdown({ timeoutMs: 1_000 }));
  const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
  cleanup.push(async () => bridge.detach());
  return { pipeline, runtime, bridge, base: originOf(pipeline.prometheusUrl) };
}

describe('/healthz and /readyz across the runtime lifecycle', () => {
  it('answers initializing → running → draining → drained as the issue says', async () => {
    const scheduler = manualScheduler();
    const { runtime, base } = await serve({ scheduler });
    const recorder = runtime.createRecorder('storage', { metrics: saves() });

    // initializing: alive, not ready
    let ready = await probe(base, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.contentType).toMatch(/^application\/json/);
    expect(ready.body).toEqual({
      status: 'unavailable',
      reasons: ['runtime "docs" is initializing'],
      runtimes: [{ namespace: 'docs', state: 'initializing' }],
    });
    expect((await probe(base, '/healthz')).status).toBe(200);

    // running: both 200
    runtime.start();
    ready = await probe(base, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ok',
      reasons: [],
      runtimes: [{ namespace: 'docs', state: 'running' }],
    });
    const live = await probe(base, '/healthz');
    expect(live.status).toBe(200);
    expect(live.body?.status).toBe('ok');
    const metrics = await probe(base, '/metrics');
    expect(stateSamples(metrics.text, 'docs')).toEqual({
      initializing: 0,
      running: 1,
      draining: 0,
      drained: 0,
      failed: 0,
    });

    // draining: the drain waits for the scheduler the test holds
    recorder.registerEvent({ type: 'save' });
    const shutdown = runtime.shutdown({ timeoutMs: 60_000 });
    ready = await probe(base, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body?.reasons).toEqual(['runtime "docs" is draining']);
    expect((await probe(base, '/healthz')).status).toBe(200);
    expect(stateSamples((await probe(base, '/metrics')).text, 'docs').draining).toBe(1);

    // drained: still alive (a restart would not help), never ready again
    scheduler.runAll();
    await shutdown;
    ready = await probe(base, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body?.reasons).toEqual(['runtime "docs" is drained']);
    expect((await probe(base, '/healthz')).status).toBe(200);
    const last = stateSamples((await probe(base, '/metrics')).text, 'docs');
    expect(last).toMatchObject({ drained: 1, running: 0, draining: 0 });
  });

  it('answers 503 on both probes once a runtime failed, naming it', async () => {
    const scheduler = manualScheduler(); // never run: the drain cannot finish
    const { runtime, base } = await serve({ scheduler });
    runtime.start();
    const recorder = runtime.createRecorder('storage', { metrics: saves() });
    for (let i = 0; i < 5; i++) recorder.registerEvent({ type: 'save' });
    await runtime.shutdown({ timeoutMs: 20 });
    expect(runtime.state).toBe('failed');
    const live = await probe(base, '/healthz');
    expect(live.status).toBe(503);
    expect(live.body).toEqual({
      status: 'unavailable',
      reasons: ['runtime "docs" failed: it can no longer process events'],
      runtimes: [{ namespace: 'docs', state: 'failed' }],
    });
    expect((await probe(base, '/readyz')).body?.reasons).toEqual(['runtime "docs" is failed']);
    const metrics = (await probe(base, '/metrics')).text;
    expect(stateSamples(metrics, 'docs').failed).toBe(1);
    // The events the failed drain left are on /metrics as dropped: conservation holds there too.
    expect(metrics).toMatch(
      /mvx_recorder_events_total\{[^}]*outcome="dropped"[^}]*recorder="storage"[^}]*\} 5/,
    );
  });

  it('names every runtime that is not ready, and only the failed one on /healthz', async () => {
    const pipeline = await createOtelPipeline({
      serviceName: 'health-test',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: false,
      registerGlobals: false,
    });
    cleanup.push(() => pipeline.shutdown());
    const base = originOf(pipeline.prometheusUrl);
    const docs = new MetricsRuntime({ namespace: 'docs', onError: () => {} });
    const billing = new MetricsRuntime({
      namespace: 'billing',
      onError: () => {},
      scheduler: manualScheduler(),
    });
    for (const rt of [docs, billing]) {
      const bridge = attachOtelBridge(rt, { meterProvider: pipeline.meterProvider });
      cleanup.push(async () => bridge.detach());
    }
    expect((await probe(base, '/readyz')).body?.reasons).toEqual([
      'runtime "docs" is initializing',
      'runtime "billing" is initializing',
    ]);
    docs.start();
    billing.start();
    expect((await probe(base, '/readyz')).status).toBe(200);
    billing.createRecorder('invoices', { metrics: saves() }).registerEvent({ type: 'save' });
    await billing.shutdown({ timeoutMs: 10 });
    const ready = await probe(base, '/readyz');
    expect(ready.body?.reasons).toEqual(['runtime "billing" is failed']);
    expect((await probe(base, '/healthz')).body?.reasons).toEqual([
      'runtime "billing" failed: it can no longer process events',
    ]);
    await docs.shutdown();
  });

  it('forgets a runtime whose bridge was detached, and is ready with no runtime at all', async () => {
    const { runtime, bridge, base } = await serve();
    expect((await probe(base, '/readyz')).status).toBe(503);
    bridge.detach();
    const ready = await probe(base, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body?.runtimes).toEqual([]);
    expect(stateSamples((await probe(base, '/metrics')).text, 'docs')).toEqual({});
    await runtime.shutdown();
  });

  it('reads a bridged bare recorder as a runtime: created is initializing, stopped is drained', async () => {
    const pipeline = await createOtelPipeline({
      serviceName: 'health-test',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: false,
      registerGlobals: false,
    });
    cleanup.push(() => pipeline.shutdown());
    const base = originOf(pipeline.prometheusUrl);
    const { MetricsRecorder } = await import('@mvx-metrics/core');
    const recorder = new MetricsRecorder('solo', { metrics: saves(), onError: () => {} });
    const bridge = attachOtelBridge(recorder, { meterProvider: pipeline.meterProvider });
    cleanup.push(async () => bridge.detach());
    expect((await probe(base, '/readyz')).body?.reasons).toEqual([
      'recorder "solo" is initializing',
    ]);
    recorder.start();
    expect((await probe(base, '/readyz')).status).toBe(200);
    await recorder.stop();
    expect((await probe(base, '/readyz')).body?.reasons).toEqual(['recorder "solo" is drained']);
    expect((await probe(base, '/healthz')).status).toBe(200);
  });

  it('answers HEAD without a body, never caches, and 404 for other methods and paths', async () => {
    const { runtime, base } = await serve();
    runtime.start();
    const head = await fetch(`${base}/readyz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(head.headers.get('cache-control')).toBe('no-store');
    expect((await probe(base, '/readyz?verbose=1')).status).toBe(200);
    expect((await probe(base, '/readyz', { method: 'POST' })).status).toBe(404);
    expect((await probe(base, '/healthz/extra')).status).toBe(404);
    expect((await probe(base, '/')).status).toBe(404);
  });

  it('is not ready from pipeline.shutdown() on, while its server still answers', async () => {
    const { runtime, pipeline, base } = await serve();
    runtime.start();
    expect((await probe(base, '/readyz')).status).toBe(200);
    await pipeline.shutdown();
    // the mounted handler outlives the pipeline's own server
    const { createServer } = await import('node:http');
    const server = createServer(pipeline.requestHandler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
    const address = server.address() as { port: number };
    const ready = await probe(`http://127.0.0.1:${address.port}`, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body?.reasons).toEqual(['the metrics pipeline is shut down']);
  });
});
