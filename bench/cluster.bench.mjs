// Cluster-mode figures of @mvx-metrics/core (issue 22), each beside a same-process reference
// measured in this primary, samples interleaved so a busy neighbour slows both alike. Run with
// `node bench/run.mjs cluster` after a build. This file is also its own worker script (cluster.fork).
//
// 1. registerEvent ns/op in a cluster worker (connectToPrimary) vs the primary's own recorder.
//    Timed: one chunk of CHUNK calls creating plain `{ type, worker, seq }` events. Untimed after
//    each chunk: `await flush()`, so buffers never fill. The worker figure includes its share of
//    the batch process.send calls made inline every 512 events (JSON serialisation + pipe write).
// 2. Throughput: events/s reaching metric state in the primary, with 1, 2 and 4 producer workers,
//    vs one producer in the primary registering as many events. Timed from "go" (workers forked
//    and connected, untimed) until every producer's final flush resolved (the primary processed
//    everything); the snapshot total is then checked. Producers flush every FLUSH_EVERY events.
// 3. Where the primary saturates: its CPU share of the wall clock in each run, and a CPU profile
//    (node:inspector) of the primary during the 4-worker run: the functions with most self time.
import cluster from 'node:cluster';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { formatNs, formatRate, formatRatio, gc, machine, median, printTable, row } from './lib.mjs';

const CHUNK = 10_000;
const FLUSH_EVERY = 16_384;
const PER_WORKER = 100_000;
const SAMPLES = 7;
const WARMUP = 2;
const RUNS = 2;
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a bench knob, not a turbo task's input
const BATCH = process.env.MVX_CLUSTER_BATCH ? Number(process.env.MVX_CLUSTER_BATCH) : undefined;

if (cluster.isPrimary) await main();
else await workerMain();

async function workerMain() {
  const { connectToPrimary } = await import('@mvx-metrics/core/cluster');
  const recorder = connectToPrimary('jobs', BATCH === undefined ? {} : { batchSize: BATCH });
  const id = `w${cluster.worker.id}`;
  process.on('message', async (message) => {
    if (message === 'sample') {
      const start = performance.now();
      for (let i = 0; i < CHUNK; i++)
        recorder.registerEvent({ type: 'job.done', worker: id, seq: i });
      const ms = performance.now() - start;
      await recorder.flush();
      process.send({ nsPerOp: (ms * 1e6) / CHUNK });
    } else if (message === 'go') {
      const cpu = process.cpuUsage();
      for (let seq = 0; seq < PER_WORKER; seq++) {
        recorder.registerEvent({ type: 'job.done', worker: id, seq });
        if ((seq + 1) % FLUSH_EVERY === 0) await recorder.flush();
      }
      await recorder.flush();
      const used = process.cpuUsage(cpu);
      process.send({ stats: recorder.stats(), cpuMs: (used.user + used.system) / 1000 });
    } else if (message === 'stop') {
      process.send({ stats: recorder.stats() }, () => process.exit(0));
    }
  });
  process.send('ready');
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
    return { runtime, recorder, primary: runtime.clusterPrimary() };
  };
  const total = (recorder) =>
    recorder.getMetricSnapshots()[0].points.reduce((sum, p) => sum + p.value, 0);
  const ask = (worker, message) =>
    new Promise((resolve) => {
      const listener = (answer) => {
        // The application's messages share the channel with the library's (tagged `mvx`).
        if (answer === 'ready' || answer?.mvx !== undefined) return;
        worker.off('message', listener);
        resolve(answer);
      };
      worker.on('message', listener);
      worker.send(message);
    });
  const fork = async (primary, count) => {
    const workers = [];
    for (let w = 0; w < count; w++) {
      const worker = cluster.fork();
      primary.attach(worker);
      workers.push(worker);
    }
    await Promise.all(
      workers.map(
        (w) => new Promise((resolve) => w.on('message', (m) => m === 'ready' && resolve())),
      ),
    );
    return workers;
  };
  const end = async (workers) => {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((resolve) => {
            const timer = setTimeout(() => w.process.kill('SIGKILL'), 5000);
            w.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            w.send('stop');
          }),
      ),
    );
  };

  // 1. registerEvent cost, interleaved: one primary chunk, then one worker chunk.
  const same = setup();
  const costed = setup();
  const [costWorker] = await fork(costed.primary, 1);
  const sameNs = [];
  const workerNs = [];
  for (let s = 0; s < WARMUP + SAMPLES; s++) {
    const start = performance.now();
    for (let i = 0; i < CHUNK; i++)
      same.recorder.registerEvent({ type: 'job.done', worker: 'main', seq: i });
    const ms = performance.now() - start;
    await same.recorder.flush();
    const { nsPerOp } = await ask(costWorker, 'sample');
    if (s >= WARMUP) {
      sameNs.push((ms * 1e6) / CHUNK);
      workerNs.push(nsPerOp);
    }
  }
  await end([costWorker]);
  await costed.recorder.flush();
  if (same.recorder.stats().dropped !== 0) throw new Error('primary reference dropped events');
  const cs = costed.primary.stats();
  if (cs.dropped !== 0 || cs.lost !== 0) throw new Error('cost worker dropped or lost events');
  if (total(costed.recorder) !== cs.registered) throw new Error('cost: snapshot mismatch');
  await same.runtime.shutdown();
  await costed.runtime.shutdown();

  // 2. and 3. Throughput over RUNS rounds of: same process, 1, 2, 4 workers.
  const variants = [0, 1, 2, 4];
  const rates = variants.map(() => []);
  const cpuShare = variants.map(() => []);
  const cpuRates = variants.map(() => []);
  let profileTop;
  for (let r = 0; r < RUNS; r++) {
    for (let v = 0; v < variants.length; v++) {
      const count = variants[v];
      const events = count === 0 ? PER_WORKER * 4 : PER_WORKER * count;
      const t = setup();
      const workers = count === 0 ? [] : await fork(t.primary, count);
      const profiling = r === RUNS - 1 && count === 4;
      let session;
      if (profiling) {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 200 });
        await session.post('Profiler.start');
      }
      gc();
      const cpu = process.cpuUsage();
      const start = performance.now();
      let results = [];
      if (count === 0) {
        for (let seq = 0; seq < events; seq++) {
          t.recorder.registerEvent({ type: 'job.done', worker: 'main', seq });
          if ((seq + 1) % FLUSH_EVERY === 0) await t.recorder.flush();
        }
        await t.recorder.flush();
      } else {
        results = await Promise.all(workers.map((w) => ask(w, 'go')));
        if (results.some((x) => x.stats.dropped !== 0)) throw new Error(`${count} workers dropped`);
        await t.recorder.flush();
      }
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      const workersCpuMs = results.reduce((sum, x) => sum + x.cpuMs, 0);
      if (profiling) {
        const { profile } = await session.post('Profiler.stop');
        session.disconnect();
        profileTop = topSelfTime(profile);
      }
      if (total(t.recorder) !== events) {
        throw new Error(`${count} workers: snapshot ${total(t.recorder)} != ${events}`);
      }
      rates[v].push((events * 1000) / ms);
      const primaryCpuMs = (used.user + used.system) / 1000;
      cpuShare[v].push(primaryCpuMs / ms);
      cpuRates[v].push((events * 1000) / (primaryCpuMs + workersCpuMs));
      await end(workers);
      await t.runtime.shutdown();
    }
  }

  const sameCost = median(sameNs);
  const workerCost = median(workerNs);
  const rate = rates.map(median);
  const rows = [
    row(
      'registerEvent in a cluster worker (incl. batch process.send)',
      formatNs(workerCost),
      'registerEvent in the primary',
      formatNs(sameCost),
      formatRatio(workerCost / sameCost),
      '≤ 3×',
      workerCost / sameCost <= 3,
    ),
  ];
  for (let v = 1; v < variants.length; v++) {
    const n = variants[v];
    rows.push(
      row(
        `cross-process throughput, ${n} worker${n > 1 ? 's' : ''} (primary CPU ${Math.round(median(cpuShare[v]) * 100)}%)`,
        formatRate(rate[v]),
        'one process',
        formatRate(rate[0]),
        formatRatio(rate[v] / rate[0]),
        n === 1 ? '≥ 0.5×' : '',
        n === 1 ? rate[v] / rate[0] >= 0.5 : undefined,
      ),
    );
  }
  const cpuRate = cpuRates.map(median);
  for (let v = 1; v < variants.length; v++) {
    const n = variants[v];
    rows.push(
      row(
        `events per CPU-second (primary + ${n} worker${n > 1 ? 's' : ''})`,
        formatRate(cpuRate[v]),
        'one process',
        formatRate(cpuRate[0]),
        formatRatio(cpuRate[v] / cpuRate[0]),
        '',
      ),
    );
  }
  printTable('Cluster mode (issue 22)', rows);
  console.log('\nPrimary CPU profile, 4 workers (self time):');
  for (const line of profileTop) console.log(`  ${line}`);
}

// The functions with most self time in a V8 CPU profile, as "share name (file)".
function topSelfTime(profile) {
  const byFunction = new Map();
  const dt = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  let all = 0;
  for (const node of profile.nodes) {
    const time = dt.get(node.id) ?? 0;
    all += time;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} (${url.split('/').slice(-2).join('/')}:${lineNumber + 1})`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + time);
  }
  return [...byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([key, time]) => `${((time / all) * 100).toFixed(1).padStart(5)}%  ${key}`);
}
