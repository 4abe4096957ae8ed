// Worker-thread figures of @mvx-metrics/core (issue 6), each beside a same-thread reference
// measured in this same process. Run: `npm run bench` (or, after `npx tsc -b`,
// `node --expose-gc bench/workers.bench.mjs`). Self-contained: this file is also the worker script.
//
// 1. registerEvent ns/op inside a worker (connectRecorder) vs the same-thread recorder's
//    registerEvent. Timed: chunks of CHUNK calls. Untimed between chunks: `await flush()` (worker)
//    / `await recorder.flush()` (same thread), so buffers never fill. The worker figure includes
//    its share of the batch postMessage calls made inline every 512 events (structured clone):
//    that is what the producer pays.
// 2. Cross-thread throughput: events/s reaching metric state, with 1, 2 and 4 producer workers
//    into one recorder of this thread, vs one same-thread producer doing the same work. Timed from
//    the "go" message until every producer's final flush resolved (the owning recorder processed
//    everything), then the snapshot total is checked. Producers flush every FLUSH_EVERY events
//    (their own backpressure), the same for the same-thread reference.

import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const CHUNK = 10_000;
const FLUSH_EVERY = 16_384;
const PER_WORKER = 250_000;

if (!isMainThread) {
  await workerMain();
} else {
  await main();
}

async function workerMain() {
  const { connectRecorder } = await import('@mvx-metrics/core/worker');
  const { job, handle, id } = workerData;
  const recorder = connectRecorder(handle);
  await new Promise((resolve) => parentPort.once('message', resolve)); // "go"
  if (job === 'cost') {
    const perOp = await timeChunks(
      (n) => {
        for (let i = 0; i < n; i++)
          recorder.registerEvent({ type: 'job.done', worker: id, seq: i });
      },
      () => recorder.flush(),
    );
    parentPort.postMessage({ perOp, stats: recorder.stats() });
  } else {
    for (let seq = 0; seq < PER_WORKER; seq++) {
      recorder.registerEvent({ type: 'job.done', worker: id, seq });
      if ((seq + 1) % FLUSH_EVERY === 0) await recorder.flush();
    }
    await recorder.flush();
    parentPort.postMessage({ stats: recorder.stats() });
  }
}

async function timeChunks(run, between, samples = 15, warmup = 5) {
  const perOp = [];
  for (let s = 0; s < warmup + samples; s++) {
    const start = performance.now();
    run(CHUNK);
    const ms = performance.now() - start;
    await between();
    if (s >= warmup) perOp.push((ms * 1e6) / CHUNK);
  }
  return median(perOp);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const os = await import('node:os');
  const { counter, MetricsRuntime } = await import('@mvx-metrics/core');
  const cpus = os.cpus();
  console.log(`Node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}\n`);

  const setup = () => {
    const runtime = new MetricsRuntime({ namespace: 'bench' });
    runtime.start();
    const recorder = runtime.createRecorder('jobs', {
      metrics: [
        counter({ name: 'jobs.done', on: 'job.done', attributes: (e) => ({ worker: e.worker }) }),
      ],
    });
    return { runtime, recorder };
  };
  const total = (recorder) =>
    recorder.getMetricSnapshots()[0].points.reduce((sum, p) => sum + p.value, 0);
  const gc = () => globalThis.gc?.();

  const startWorkers = async (exposed, count, job) => {
    const workers = [];
    for (let w = 0; w < count; w++) {
      const handle = exposed.handle();
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { job, handle, id: `w${w}` },
        transferList: [handle.port],
      });
      workers.push(worker);
    }
    // Workers are up (their module loaded) once they answer; give them a moment to settle.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return workers;
  };
  const run = (workers) =>
    Promise.all(
      workers.map(
        (worker) =>
          new Promise((resolve, reject) => {
            worker.once('message', resolve);
            worker.once('error', reject);
            worker.postMessage('go');
          }),
      ),
    );

  // 1. registerEvent cost.
  const same = setup();
  const samePerOp = await timeChunks(
    (n) => {
      for (let i = 0; i < n; i++)
        same.recorder.registerEvent({ type: 'job.done', worker: 'main', seq: i });
    },
    () => same.recorder.flush(),
  );
  if (same.recorder.stats().dropped !== 0) throw new Error('same-thread reference dropped events');
  await same.runtime.shutdown();

  const costSetup = setup();
  const costExposed = costSetup.runtime.exposeRecorder('jobs');
  const [costWorker] = await startWorkers(costExposed, 1, 'cost');
  const cost = (await run([costWorker]))[0];
  if (cost.stats.dropped !== 0 || cost.stats.uncloneable !== 0)
    throw new Error('worker cost run dropped events');
  if (total(costSetup.recorder) !== cost.stats.registered)
    throw new Error('worker cost run: snapshot mismatch');
  await costWorker.terminate();
  await costSetup.runtime.shutdown();

  // 2. Throughput. Reference: one same-thread producer, same events, same flush rhythm.
  const refRates = [];
  for (let s = 0; s < 3; s++) {
    const ref = setup();
    gc();
    const start = performance.now();
    for (let seq = 0; seq < PER_WORKER * 4; seq++) {
      ref.recorder.registerEvent({ type: 'job.done', worker: 'main', seq });
      if ((seq + 1) % FLUSH_EVERY === 0) await ref.recorder.flush();
    }
    await ref.recorder.flush();
    const ms = performance.now() - start;
    if (total(ref.recorder) !== PER_WORKER * 4) throw new Error('reference lost events');
    refRates.push((PER_WORKER * 4 * 1000) / ms);
    await ref.runtime.shutdown();
  }
  const refRate = median(refRates);

  const rows = [];
  rows.push([
    'worker registerEvent',
    fmtNs(cost.perOp),
    'same-thread registerEvent',
    fmtNs(samePerOp),
    `${(cost.perOp / samePerOp).toFixed(2)}×`,
  ]);
  for (const count of [1, 2, 4]) {
    const rates = [];
    for (let s = 0; s < 3; s++) {
      const t = setup();
      const exposed = t.runtime.exposeRecorder('jobs');
      const workers = await startWorkers(exposed, count, 'throughput');
      gc();
      const start = performance.now();
      const results = await run(workers);
      const ms = performance.now() - start;
      const expected = count * PER_WORKER;
      if (total(t.recorder) !== expected)
        throw new Error(`${count} workers: snapshot ${total(t.recorder)} != ${expected}`);
      if (results.some((r) => r.stats.dropped !== 0))
        throw new Error(`${count} workers dropped events`);
      rates.push((expected * 1000) / ms);
      await Promise.all(workers.map((w) => w.terminate()));
      await t.runtime.shutdown();
    }
    const rate = median(rates);
    rows.push([
      `cross-thread, ${count} producer worker${count > 1 ? 's' : ''}`,
      fmtRate(rate),
      'same-thread producer',
      fmtRate(refRate),
      `${(rate / refRate).toFixed(2)}×`,
    ]);
  }
  printTable(rows);
}

function fmtNs(ns) {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs/op` : `${ns.toFixed(1)} ns/op`;
}

function fmtRate(perSecond) {
  return `${(perSecond / 1e6).toFixed(2)} M events/s`;
}

function printTable(rows) {
  const header = ['Figure', 'Measured', 'Reference', 'Reference value', 'Ratio', 'Result'];
  const cells = rows.map((r) => [...r, '(context)']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => `| ${c.map((v, i) => String(v).padEnd(widths[i])).join(' | ')} |`;
  console.log(
    [
      '### Worker threads',
      '',
      line(header),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...cells.map(line),
    ].join('\n'),
  );
}
