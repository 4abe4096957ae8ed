import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  counter,
  type ExposedRecorder,
  findPoint,
  type MetricsError,
  MetricsRuntime,
  type NumberPoint,
  type RecorderHandleOptions,
  type WorkerRecorderStats,
} from '@mvx-metrics/core';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { buildPackages, workerExecArgv } from './helpers.js';

const PRODUCER = new URL('./fixtures/producer.mjs', import.meta.url);
const OWNER_EXITS = new URL('./fixtures/owner-exits.mjs', import.meta.url);

interface ProducerOptions {
  id: string;
  count: number;
  flushEvery?: number;
  yieldEvery?: number;
  mode?: 'finish' | 'throw' | 'exit' | 'announce' | 'signal';
  failAt?: number;
  signal?: SharedArrayBuffer;
  handle?: RecorderHandleOptions;
}

interface Producer {
  worker: Worker;
  /** Resolves with the worker's own stats when it finishes normally. */
  done: Promise<WorkerRecorderStats>;
  /** Resolves once the worker passed `failAt` (mode 'announce'). */
  midstream: Promise<WorkerRecorderStats>;
  /** Resolves with the exit code. */
  exited: Promise<number>;
  error: Promise<Error>;
}

const workers: Worker[] = [];

function startProducer(exposed: ExposedRecorder, options: ProducerOptions): Producer {
  const { handle: handleOptions, ...data } = options;
  const handle = exposed.handle(handleOptions);
  const worker = new Worker(PRODUCER, {
    workerData: { ...data, metrics: handle },
    transferList: [handle.port],
    execArgv: workerExecArgv(),
  });
  workers.push(worker);
  const message = (kind: string) =>
    new Promise<WorkerRecorderStats>((resolve) => {
      worker.on('message', (m: { kind: string; stats: WorkerRecorderStats }) => {
        if (m.kind === kind) resolve(m.stats);
      });
    });
  return {
    worker,
    done: message('done'),
    midstream: message('midstream'),
    exited: new Promise((resolve) => worker.once('exit', resolve)),
    error: new Promise((resolve) => worker.once('error', resolve)),
  };
}

function setup() {
  const errors: MetricsError[] = [];
  const runtime = new MetricsRuntime({ namespace: 'test', onError: (e) => errors.push(e) });
  runtime.start();
  const recorder = runtime.createRecorder('jobs', {
    metrics: [
      counter({
        name: 'jobs.done',
        on: 'job.done',
        attributes: (e) => ({ worker: (e as { worker: string }).worker }),
      }),
    ],
  });
  return { runtime, recorder, exposed: runtime.exposeRecorder('jobs'), errors };
}

function doneBy(runtime: MetricsRuntime, worker: string): number | undefined {
  const snapshots = runtime.getRecorder('jobs')?.getMetricSnapshots() ?? [];
  return (findPoint(snapshots, 'jobs.done', { worker }) as NumberPoint | undefined)?.value;
}

function totalDone(runtime: MetricsRuntime): number {
  const snapshots = runtime.getRecorder('jobs')?.getMetricSnapshots() ?? [];
  const points = (snapshots[0]?.points ?? []) as NumberPoint[];
  return points.reduce((sum, p) => sum + p.value, 0);
}

/** Waits (bounded) until the exposure has no open connection: every port saw 'close'. */
async function allClosed(exposed: ExposedRecorder): Promise<void> {
  for (let i = 0; i < 500 && exposed.stats().open > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(exposed.stats().open).toBe(0);
}

beforeAll(() => buildPackages('packages/core'), 60_000);

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

describe('workers registering into one recorder of the owning thread', () => {
  // Issue 18, item 3: strings from another thread (structured-cloned, lone surrogates kept) go
  // through the same rule as the owner's own: ids that print alike are one series.
  test('worker ids that differ only in lone surrogates become one point, as on the owning thread', async () => {
    const { runtime, exposed } = setup();
    const ids = ['w\uD800', 'w\uDC00', 'w\u0000'];
    const producers = ids.map((id) => startProducer(exposed, { id, count: 1000 }));
    await Promise.all(producers.map((p) => p.done));
    await runtime.getRecorder('jobs')?.flush();
    const points = runtime.getRecorder('jobs')?.getMetricSnapshots()[0]?.points;
    expect(points).toEqual([{ attributes: { worker: 'w\uFFFD' }, value: 3000 }]);
    await runtime.shutdown();
  }, 60_000);

  test('4 workers x 250 000 events each give exact snapshots', async () => {
    const { runtime, recorder, exposed } = setup();
    const producers = ['w0', 'w1', 'w2', 'w3'].map((id) =>
      startProducer(exposed, { id, count: 250_000, flushEvery: 25_000 }),
    );
    const stats = await Promise.all(producers.map((p) => p.done));
    for (const s of stats) {
      expect(s).toMatchObject({ registered: 250_000, sent: 250_000, dropped: 0, pending: 0 });
    }
    for (const id of ['w0', 'w1', 'w2', 'w3']) expect(doneBy(runtime, id)).toBe(250_000);
    expect(recorder.stats()).toMatchObject({
      registered: 1_000_000,
      processed: 1_000_000,
      dropped: 0,
      pending: 0,
    });
    await Promise.all(producers.map((p) => p.exited));
    await allClosed(exposed);
    expect(exposed.stats()).toMatchObject({
      connections: 4,
      registered: 1_000_000,
      received: 1_000_000,
      dropped: 0,
      lost: 0,
      inFlight: 0,
    });
    // Batched: far fewer messages than events.
    expect(exposed.stats().batches).toBeLessThan(1_000_000 / 100);
    await runtime.shutdown();
  }, 60_000);

  test('a producer that outruns the owning thread drops and counts, never loses silently', async () => {
    const { runtime, exposed } = setup();
    const producer = startProducer(exposed, {
      id: 'fast',
      count: 200_000,
      handle: { maxPendingEvents: 2_000, batchSize: 100 },
    });
    const stats = await producer.done;
    await producer.exited;
    await allClosed(exposed);
    const s = exposed.stats();
    expect(s.registered).toBe(200_000);
    expect(s.received + s.dropped).toBe(200_000);
    expect(stats.dropped).toBe(s.dropped);
    expect(s.lost).toBe(0);
    await runtime.getRecorder('jobs')?.flush();
    expect(doneBy(runtime, 'fast') ?? 0).toBe(s.received);
    await runtime.shutdown();
  }, 30_000);
});

describe('a worker that dies mid-stream', () => {
  test('terminate(): the owning runtime keeps running and received + lost = registered in the worker', async () => {
    const { runtime, recorder, exposed, errors } = setup();
    const steady = startProducer(exposed, { id: 'steady', count: 50_000, yieldEvery: 1_000 });
    const doomed = startProducer(exposed, {
      id: 'doomed',
      count: -1,
      yieldEvery: 700,
      mode: 'announce',
      failAt: 20_000,
    });
    const before = await doomed.midstream;
    expect(before.registered).toBe(20_000);
    await doomed.worker.terminate();
    await steady.done;
    await allClosed(exposed);
    const s = exposed.stats();
    expect(s.registered).toBeGreaterThanOrEqual(20_000 + 50_000);
    expect(s.received + s.lost + s.dropped).toBe(s.registered);
    expect(s.inFlight).toBe(0);
    await recorder.flush();
    expect(doneBy(runtime, 'steady')).toBe(50_000);
    expect(doneBy(runtime, 'doomed')).toBe(s.received - 50_000);
    if (s.lost > 0) expect(errors.map((e) => e.code)).toContain('worker-events-lost');
    // Still running: events keep flowing after the crash.
    recorder.registerEvent({ type: 'job.done', worker: 'main' });
    await recorder.flush();
    expect(doneBy(runtime, 'main')).toBe(1);
    expect(recorder.state).toBe('running');
    await runtime.shutdown();
  }, 30_000);

  test('a worker that throws loses exactly what it had not sent, counted as lost', async () => {
    const { runtime, recorder, exposed, errors } = setup();
    // 1 050 events: two full batches of 512 posted, 26 buffered when the worker throws.
    const producer = startProducer(exposed, {
      id: 'thrower',
      count: 5_000,
      mode: 'throw',
      failAt: 1_050,
    });
    const error = await producer.error;
    expect(error.message).toContain('failed at event 1050');
    expect(await producer.exited).toBe(1);
    await allClosed(exposed);
    expect(exposed.stats()).toMatchObject({
      registered: 1_050,
      received: 1_024,
      lost: 26,
      dropped: 0,
      inFlight: 0,
    });
    expect(errors.find((e) => e.code === 'worker-events-lost')?.message).toContain('26 event(s)');
    await recorder.flush();
    expect(doneBy(runtime, 'thrower')).toBe(1_024);
    expect(recorder.state).toBe('running');
    await runtime.shutdown();
  }, 30_000);
});

describe('a worker that calls process.exit()', () => {
  test('loses exactly what it had not sent, and the loss is counted when its port closes', async () => {
    const { runtime, recorder, exposed } = setup();
    // 700 events: one full batch of 512 posted, 188 buffered when the worker exits.
    const producer = startProducer(exposed, {
      id: 'quitter',
      count: 5_000,
      mode: 'exit',
      failAt: 700,
    });
    expect(await producer.exited).toBe(3);
    await allClosed(exposed);
    expect(exposed.stats()).toMatchObject({ registered: 700, received: 512, lost: 188 });
    await recorder.flush();
    expect(doneBy(runtime, 'quitter')).toBe(512);
    await runtime.shutdown();
  }, 30_000);
});

describe('shutdown', () => {
  test('runtime.shutdown() takes in batches workers already posted but the owning loop has not handled', async () => {
    const { runtime, exposed } = setup();
    const signal = new SharedArrayBuffer(4);
    // 20 full batches of 512: all posted by the worker's own registerEvent calls.
    startProducer(exposed, { id: 'live', count: 10_240, mode: 'signal', signal });
    // Block this thread until the worker has posted everything: no 'message' is handled meanwhile.
    expect(Atomics.wait(new Int32Array(signal), 0, 0, 20_000)).not.toBe('timed-out');
    expect(exposed.stats()).toMatchObject({ open: 1, received: 0, inFlight: 10_240 });
    await runtime.shutdown();
    expect(totalDone(runtime)).toBe(10_240);
    expect(exposed.stats()).toMatchObject({
      open: 0,
      registered: 10_240,
      received: 10_240,
      lost: 0,
    });
  }, 30_000);

  test('exposed recorders never keep the process alive', () => {
    const result = spawnSync(process.execPath, [fileURLToPath(OWNER_EXITS)], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toMatchObject({ received: 1_000, total: 1_000 });
  }, 30_000);
});
