// End to end: events registered in worker threads reach OpenTelemetry through the owning
// thread's runtime and the bridge, and /metrics shows one series per attribute set, whatever the
// number of workers (no per-worker duplication, no scrape-time aggregation).
import { Worker } from 'node:worker_threads';
import { counter, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findBinary, parseSamples, promtoolCheck } from '../support/prometheus.js';
import { buildPackages, workerExecArgv } from './helpers.js';

const PRODUCER = new URL('./fixtures/producer.mjs', import.meta.url);
const promtool = findBinary('promtool');
const WORKERS = 3;
const PER_WORKER = 10_000;

describe('worker events through the OpenTelemetry bridge', () => {
  let pipeline: OtelPipeline | undefined;
  let runtime: MetricsRuntime | undefined;
  let detach: (() => void) | undefined;
  const workers: Worker[] = [];

  beforeAll(() => buildPackages('packages/core'), 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.terminate()));
    detach?.();
    await runtime?.shutdown();
    await pipeline?.shutdown();
  });

  test('events from workers appear on /metrics with no per-worker series duplication', async () => {
    pipeline = await createOtelPipeline({
      serviceName: 'hashing-service',
      serviceInstanceId: 'instance-1',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: false,
    });
    runtime = new MetricsRuntime({ namespace: 'jobs', onError: () => {} });
    runtime.start();
    detach = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider }).detach;
    runtime.createRecorder('pool', {
      metrics: [
        counter({
          name: 'done',
          on: 'job.done',
          attributes: (e) => ({ parity: (e as { seq: number }).seq % 2 === 0 ? 'even' : 'odd' }),
        }),
      ],
    });
    const exposed = runtime.exposeRecorder('pool');
    const finished = Array.from({ length: WORKERS }, (_, w) => {
      const handle = exposed.handle();
      const worker = new Worker(PRODUCER, {
        workerData: { metrics: handle, id: `w${w}`, count: PER_WORKER },
        transferList: [handle.port],
        execArgv: workerExecArgv(),
      });
      workers.push(worker);
      return new Promise<void>((resolve, reject) => {
        worker.on('message', (m: { kind: string }) => m.kind === 'done' && resolve());
        worker.once('error', reject);
      });
    });
    await Promise.all(finished);

    const url = pipeline.prometheusUrl;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(url as string);
    expect(response.status).toBe(200);
    const body = await response.text();
    if (promtool !== undefined) {
      const check = promtoolCheck(promtool, body);
      expect(check.status, check.output).toBe(0);
    }
    const series = parseSamples(body).filter((s) => s.name === 'jobs_done_total');
    expect(series).toHaveLength(2);
    for (const parity of ['even', 'odd']) {
      const sample = series.find((s) => s.labels.parity === parity);
      expect(sample?.value).toBe((WORKERS * PER_WORKER) / 2);
      expect(sample?.labels.recorder).toBe('pool');
      // Nothing identifies the producing thread: one series per attribute set.
      expect(Object.keys(sample?.labels ?? {}).filter((k) => /worker|thread/i.test(k))).toEqual([]);
    }
    expect(exposed.stats()).toMatchObject({
      registered: WORKERS * PER_WORKER,
      received: WORKERS * PER_WORKER,
      dropped: 0,
      lost: 0,
    });
  }, 60_000);
});
