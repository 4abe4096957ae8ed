// Worker-thread figures of @mvx-metrics/core (issue 6), each beside a same-thread reference
// measured in this process, samples interleaved (A, B, A, B, ...) so a busy neighbour slows both
// alike. Run with `npm run bench` (or `node bench/run.mjs workers` after a build). This file is
// also its own worker script.
//
// 1. registerEvent ns/op inside a worker (connectRecorder) vs the same-thread recorder's
//    registerEvent. Timed: one chunk of CHUNK calls creating plain `{ type, worker, seq }` events.
//    Untimed after each chunk: `await flush()` (worker) / `await recorder.flush()` (same thread),
//    so buffers never fill. The worker figure includes its share of the batch postMessage calls
//    made inline every 512 events (the structured clone): that is what the producer pays.
// 2. Throughput: events/s reaching metric state, with 1, 2 and 4 producer workers into one
//    recorder of this thread, vs one same-thread producer registering as many events: EVENTS in
//    every variant, split evenly between the workers, so each run does the same work. Timed from
//    the "go" message (workers already started, connected and warmed up, untimed) until every
//    producer's final flush resolved, i.e. the owning recorder processed everything; then the
//    snapshot total is checked. Producers flush every FLUSH_EVERY events (their own
//    backpressure), the same-thread reference too. A new worker warms up as bench/cluster's do:
//    WARM_ROUNDS calls of the timed function into another recorder, a SETTLE_MS pause before the
//    last for V8's background compile jobs, so it is timed in the steady state the same-thread
//    reference (a thread that has run the same code for seconds) is timed in. Also: events per
//    CPU-second of the whole process (all threads, GC included), which a neighbour stealing the
//    CPU does not change. MVX_WORKERS_BASELINE=<another build's core dist directory> adds that
//    build's 1- and 2-worker runs (and its own same-thread reference) in the same rounds.

import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { formatNs, formatRate, formatRatio, gc, machine, median, printTable, row } from './lib.mjs';

const CHUNK = 10_000;
const FLUSH_EVERY = 16_384;
const EVENTS = 400_000;
const WARM_EVENTS = 50_000;
const WARM_ROUNDS = 3;
const SETTLE_MS = 100;
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a bench knob, not a turbo task's input
const BASELINE = process.env.MVX_WORKERS_BASELINE;
const SAMPLES = 9;
const WARMUP = 3;
const RUNS = 3;

if (isMainThread) {
  await main();
} else {
  await workerMain();
}

async function workerMain() {
  const { job, handle, warmHandle, id, count, build } = workerData;
  const { connectRecorder } = await import(
    build ? pathToFileURL(`${build}/workers/worker.js`).href : '@mvx-metrics/core/worker'
  );
  const recorder = connectRecorder(handle);
  if (job === 'cost') {
    // One timed chunk per 'sample' request, so the owning thread can interleave its own samples.
    parentPort.on('message', async (message) => {
      if (message === 'stop') {
        parentPort.postMessage({ stats: recorder.stats() });
        parentPort.close();
        return;
      }
      const start = performance.now();
      for (let i = 0; i < CHUNK; i++)
        recorder.registerEvent({ type: 'job.done', worker: id, seq: i });
      const ms = performance.now() - start;
      await recorder.flush();
      parentPort.postMessage({ nsPerOp: (ms * 1e6) / CHUNK });
    });
    return;
  }
  const warmup = connectRecorder(warmHandle);
  for (let round = 0; round < WARM_ROUNDS; round++) {
    if (round === WARM_ROUNDS - 1) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    await produce(warmup, id, WARM_EVENTS);
  }
  gc(); // as the owning thread does before each timed run
  parentPort.postMessage('ready');
  await new Promise((resolve) => parentPort.once('message', resolve)); // "go"
  await produce(recorder, id, count);
  parentPort.postMessage({ stats: recorder.stats() });
}

// What a producer worker does: `count` events, a flush every FLUSH_EVERY and at the end.
async function produce(recorder, id, count) {
  for (let seq = 0; seq < count; seq++) {
    recorder.registerEvent({ type: 'job.done', worker: id, seq });
    if ((seq + 1) % FLUSH_EVERY === 0) await recorder.flush();
  }
  await recorder.flush();
}

async function main() {
  const current = await import('@mvx-metrics/core');
  const baseline =
    BASELINE === undefined ? undefined : await import(pathToFileURL(`${BASELINE}/index.js`).href);
  console.log(`${await machine()}\n`);
  if (BASELINE !== undefined) console.log(`Baseline build: ${BASELINE}\n`);

  const setup = (core = current) => {
    const { counter, MetricsRuntime } = core;
    const runtime = new MetricsRuntime({ namespace: 'bench' });
    runtime.start();
    const recorder = runtime.createRecorder('jobs', {
      metrics: [
        counter({ name: 'jobs.done', on: 'job.done', attributes: (e) => ({ worker: e.worker }) }),
      ],
    });
    runtime.createRecorder('warmup', {
      metrics: [counter({ name: 'warm.done', on: 'job.done' })],
    });
    return {
      runtime,
      recorder,
      exposed: runtime.exposeRecorder('jobs'),
      warm: runtime.exposeRecorder('warmup'),
    };
  };
  const total = (recorder) =>
    recorder.getMetricSnapshots()[0].points.reduce((sum, p) => sum + p.value, 0);
  const ask = (worker, message) =>
    new Promise((resolve, reject) => {
      const fail = (error) => reject(error);
      worker.once('message', (answer) => {
        worker.off('error', fail);
        resolve(answer);
      });
      worker.once('error', fail);
      worker.postMessage(message);
    });
  const startWorkers = async (t, count, job, { events = 0, build } = {}) => {
    const workers = [];
    for (let w = 0; w < count; w++) {
      const handle = t.exposed.handle();
      const warmHandle = job === 'cost' ? undefined : t.warm.handle();
      workers.push(
        new Worker(new URL(import.meta.url), {
          workerData: { job, handle, warmHandle, id: `w${w}`, count: events / count, build },
          transferList: warmHandle === undefined ? [handle.port] : [handle.port, warmHandle.port],
        }),
      );
    }
    if (job === 'cost') {
      await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
      await new Promise((resolve) => setTimeout(resolve, 200)); // module loaded, connected
    } else {
      await Promise.all(
        workers.map(
          (w) => new Promise((resolve) => w.once('message', (m) => m === 'ready' && resolve())),
        ),
      );
    }
    return workers;
  };

  // 1. registerEvent cost, interleaved: one same-thread chunk, then one worker chunk.
  const same = setup();
  const costed = setup();
  const [costWorker] = await startWorkers(costed, 1, 'cost');
  const sameNs = [];
  const workerNs = [];
  for (let s = 0; s < WARMUP + SAMPLES; s++) {
    const start = performance.now();
    for (let i = 0; i < CHUNK; i++) {
      same.recorder.registerEvent({ type: 'job.done', worker: 'main', seq: i });
    }
    const ms = performance.now() - start;
    await same.recorder.flush();
    const { nsPerOp } = await ask(costWorker, 'sample');
    if (s >= WARMUP) {
      sameNs.push((ms * 1e6) / CHUNK);
      workerNs.push(nsPerOp);
    }
  }
  const { stats: costStats } = await ask(costWorker, 'stop');
  if (same.recorder.stats().dropped !== 0) throw new Error('same-thread reference dropped events');
  if (costStats.dropped !== 0 || costStats.uncloneable !== 0) throw new Error('worker dropped');
  await costed.recorder.flush();
  if (total(costed.recorder) !== costStats.registered) throw new Error('worker: snapshot mismatch');
  await costWorker.terminate();
  await same.runtime.shutdown();
  await costed.runtime.shutdown();

  // 2. Throughput, interleaved over RUNS rounds of: same thread, 1, 2, 4 workers (and the
  // baseline build's same thread, 1 and 2 workers).
  const variants = [
    { count: 0, label: 'same-thread producer' },
    { count: 1, label: '1 producer worker' },
    { count: 2, label: '2 producer workers' },
    { count: 4, label: '4 producer workers' },
  ];
  if (baseline !== undefined) {
    variants.push(
      { count: 0, label: 'same-thread producer, baseline build', core: baseline },
      { count: 1, label: '1 producer worker, baseline build', core: baseline, build: BASELINE },
      { count: 2, label: '2 producer workers, baseline build', core: baseline, build: BASELINE },
    );
  }
  const rates = variants.map(() => []);
  const cpuRates = variants.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (let v = 0; v < variants.length; v++) {
      const { count, core, build } = variants[v];
      const events = EVENTS;
      const t = setup(core);
      const workers =
        count === 0 ? [] : await startWorkers(t, count, 'throughput', { events, build });
      gc();
      const cpu = process.cpuUsage();
      const start = performance.now();
      if (count === 0) {
        for (let seq = 0; seq < events; seq++) {
          t.recorder.registerEvent({ type: 'job.done', worker: 'main', seq });
          if ((seq + 1) % FLUSH_EVERY === 0) await t.recorder.flush();
        }
        await t.recorder.flush();
      } else {
        const results = await Promise.all(workers.map((w) => ask(w, 'go')));
        if (results.some((x) => x.stats.dropped !== 0)) throw new Error(`${count} workers dropped`);
      }
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      if (total(t.recorder) !== events) {
        throw new Error(`${count} workers: snapshot ${total(t.recorder)} != ${events}`);
      }
      rates[v].push((events * 1000) / ms);
      cpuRates[v].push((events * 1e6) / (used.user + used.system));
      await Promise.all(workers.map((w) => w.terminate()));
      await t.runtime.shutdown();
    }
  }

  const sameCost = median(sameNs);
  const workerCost = median(workerNs);
  const rate = rates.map(median);
  const cpuRate = cpuRates.map(median);
  const rows = [
    row(
      'registerEvent in a worker (incl. batch postMessage)',
      formatNs(workerCost),
      'same-thread registerEvent',
      formatNs(sameCost),
      formatRatio(workerCost / sameCost),
      '',
    ),
  ];
  // Each build's workers beside its own same-thread reference.
  const reference = (v) => (variants[v].core === undefined ? 0 : 4);
  for (let v = 1; v < variants.length; v++) {
    if (variants[v].count === 0) continue;
    rows.push(
      row(
        `cross-thread throughput, ${variants[v].label}`,
        formatRate(rate[v]),
        variants[reference(v)].label,
        formatRate(rate[reference(v)]),
        formatRatio(rate[v] / rate[reference(v)]),
        '',
      ),
    );
  }
  for (let v = 1; v < variants.length; v++) {
    if (variants[v].count !== 1) continue;
    rows.push(
      row(
        `events per CPU-second (all threads), ${variants[v].label}`,
        formatRate(cpuRate[v]),
        variants[reference(v)].label,
        formatRate(cpuRate[reference(v)]),
        formatRatio(cpuRate[v] / cpuRate[reference(v)]),
        '',
      ),
    );
  }
  printTable('Worker threads (issue 6)', rows);
}
