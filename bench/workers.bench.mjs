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
//    recorder of this thread, vs one same-thread producer registering as many events. Timed from
//    the "go" message (workers already started and connected, untimed) until every producer's
//    final flush resolved, i.e. the owning recorder processed everything; then the snapshot total
//    is checked. Producers flush every FLUSH_EVERY events (their own backpressure), the
//    same-thread reference too. Also: events per CPU-second of the whole process (all threads,
//    GC included), which a neighbour stealing the CPU does not change.

import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { formatNs, formatRate, formatRatio, gc, machine, median, printTable, row } from './lib.mjs';

const CHUNK = 10_000;
const FLUSH_EVERY = 16_384;
const PER_WORKER = 250_000;
const SAMPLES = 9;
const WARMUP = 3;
const RUNS = 3;

if (isMainThread) {
  await main();
} else {
  await workerMain();
}

async function workerMain() {
  const { connectRecorder } = await import('@mvx-metrics/core/worker');
  const { job, handle, id } = workerData;
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
  await new Promise((resolve) => parentPort.once('message', resolve)); // "go"
  for (let seq = 0; seq < PER_WORKER; seq++) {
    recorder.registerEvent({ type: 'job.done', worker: id, seq });
    if ((seq + 1) % FLUSH_EVERY === 0) await recorder.flush();
  }
  await recorder.flush();
  parentPort.postMessage({ stats: recorder.stats() });
}

async function main() {
  const { counter, MetricsRuntime } = await import('@mvx-metrics/core');
  console.log(`${await machine()}\n`);

  const setup = () => {
    const runtime = new MetricsRuntime({ namespace: 'bench' });
    runtime.start();
    const recorder = runtime.createRecorder('jobs', {
      metrics: [
        counter({ name: 'jobs.done', on: 'job.done', attributes: (e) => ({ worker: e.worker }) }),
      ],
    });
    return { runtime, recorder, exposed: runtime.exposeRecorder('jobs') };
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
  const startWorkers = async (exposed, count, job) => {
    const workers = [];
    for (let w = 0; w < count; w++) {
      const handle = exposed.handle();
      workers.push(
        new Worker(new URL(import.meta.url), {
          workerData: { job, handle, id: `w${w}` },
          transferList: [handle.port],
        }),
      );
    }
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
    await new Promise((resolve) => setTimeout(resolve, 200)); // module loaded, connected
    return workers;
  };

  // 1. registerEvent cost, interleaved: one same-thread chunk, then one worker chunk.
  const same = setup();
  const costed = setup();
  const [costWorker] = await startWorkers(costed.exposed, 1, 'cost');
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

  // 2. Throughput, interleaved over RUNS rounds of: same thread, 1, 2, 4 workers.
  const variants = [0, 1, 2, 4];
  const rates = variants.map(() => []);
  const cpuRates = variants.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (let v = 0; v < variants.length; v++) {
      const count = variants[v];
      const events = count === 0 ? PER_WORKER * 4 : PER_WORKER * count;
      const t = setup();
      const workers = count === 0 ? [] : await startWorkers(t.exposed, count, 'throughput');
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
  for (let v = 1; v < variants.length; v++) {
    const n = variants[v];
    rows.push(
      row(
        `cross-thread throughput, ${n} producer worker${n > 1 ? 's' : ''}`,
        formatRate(rate[v]),
        'same-thread producer',
        formatRate(rate[0]),
        formatRatio(rate[v] / rate[0]),
        '',
      ),
    );
  }
  rows.push(
    row(
      'events per CPU-second (all threads), 1 producer worker',
      formatRate(cpuRate[1]),
      'same-thread producer',
      formatRate(cpuRate[0]),
      formatRatio(cpuRate[1] / cpuRate[0]),
      '',
    ),
  );
  printTable('Worker threads (issue 6)', rows);
}
