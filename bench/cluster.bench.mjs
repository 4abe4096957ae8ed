// Cluster-mode figures of @mvx-metrics/core (issue 22), each beside a same-process reference
// measured in this primary, samples interleaved so a busy neighbour slows both alike. Run with
// `node bench/run.mjs cluster` after a build. This file is also its own worker script (cluster.fork).
//
// 1. registerEvent ns/op in a cluster worker (connectToPrimary) vs the primary's own recorder.
//    Timed: one chunk of CHUNK calls creating plain `{ type, worker, seq }` events. Untimed after
//    each chunk: `await flush()`, so buffers never fill. The worker figure includes its share of
//    the batch process.send calls made inline every batchSize events (encoding + pipe write).
// 2. Throughput: events/s reaching metric state in the primary, with 1, 2 and 4 producer workers,
//    vs one producer in the primary registering as many events: EVENTS in every variant, split
//    evenly between the workers, so each run does the same work. Timed from "go" (workers forked,
//    connected and warmed up, untimed) until every producer's final flush resolved (the primary
//    processed everything); the snapshot total is then checked. Producers flush every FLUSH_EVERY
//    events. The warm-up brings a new worker to the steady state the one-process reference runs
//    in (that process has run the same code for seconds): WARM_ROUNDS calls of the timed function
//    with WARM_EVENTS events each, and a pause of SETTLE_MS before the last, in which the compile
//    jobs V8 runs on background threads finish. Without the pause a compile started late in the
//    warm-up ran inside the timed run: `--trace-opt` showed an 83 ms TurboFan job of `produce`
//    (the whole inlined hot path) there, on the shared host, against ~30 ms of work for 100 k
//    events, and the worker's CPU per event swung between ~250 and ~900 ns from run to run.
//    Also with `serialization: 'advanced'` (cluster.setupPrimary) and, when MVX_CLUSTER_BASELINE
//    names another build's core dist directory (e.g. main's), that build's primary and workers in
//    the same rounds: a before/after pair measured in one run.
// 3. CPU: the primary's CPU time per event (what bounds it when workers are added) and events per
//    CPU-second of all processes together, beside one process's; and a CPU profile
//    (node:inspector, the profiler behind --cpu-prof) of the primary during the 4-worker run:
//    the functions with most self time, as shares of its busy (non-idle) samples.
import cluster from 'node:cluster';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { formatNs, formatRate, formatRatio, gc, machine, median, printTable, row } from './lib.mjs';

const CHUNK = 10_000;
const FLUSH_EVERY = 16_384;
const EVENTS = 400_000;
const SAMPLES = 7;
const WARMUP = 2;
const RUNS = 3;
const WARM_EVENTS = 50_000;
const WARM_ROUNDS = 3;
const SETTLE_MS = 100;
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a bench knob, not a turbo task's input
const BATCH = process.env.MVX_CLUSTER_BATCH ? Number(process.env.MVX_CLUSTER_BATCH) : undefined;
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a bench knob, not a turbo task's input
const BASELINE = process.env.MVX_CLUSTER_BASELINE;
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by the primary for its workers
const BUILD = process.env.MVX_CLUSTER_BUILD;

if (cluster.isPrimary) await main();
else await workerMain();

async function workerMain() {
  const { connectToPrimary } = await import(
    BUILD ? pathToFileURL(`${BUILD}/cluster/worker.js`).href : '@mvx-metrics/core/cluster'
  );
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
    } else if (message?.go !== undefined) {
      const cpu = process.cpuUsage();
      await produce(recorder, id, message.go);
      const used = process.cpuUsage(cpu);
      process.send({ stats: recorder.stats(), cpuMs: (used.user + used.system) / 1000 });
    } else if (message === 'stop') {
      process.send({ stats: recorder.stats() }, () => process.exit(0));
    }
  });
  // Untimed warm-up, into another recorder of the primary, with the same function as the timed
  // run: the one-process reference runs warm code (the primary ran it before), so the workers'
  // figures should too. (Warming up with a loop of its own left the timed loop to be compiled in
  // the first timed rounds, which cost 3-10× the later ones.)
  const warmup = connectToPrimary('warmup', BATCH === undefined ? {} : { batchSize: BATCH });
  for (let round = 0; round < WARM_ROUNDS; round++) {
    if (round === WARM_ROUNDS - 1) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    await produce(warmup, id, WARM_EVENTS);
  }
  gc(); // as the primary does before each timed run
  process.send('ready');
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
    const metrics = () => [
      counter({ name: 'jobs.done', on: 'job.done', attributes: (e) => ({ worker: e.worker }) }),
    ];
    const recorder = runtime.createRecorder('jobs', { metrics });
    const warm = runtime.createRecorder('warmup', { metrics });
    return { runtime, recorder, warm, primary: runtime.clusterPrimary() };
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
  const fork = async (primary, count, { serialization = 'json', build } = {}) => {
    cluster.setupPrimary({ serialization });
    const workers = [];
    for (let w = 0; w < count; w++) {
      const worker = cluster.fork(build === undefined ? {} : { MVX_CLUSTER_BUILD: build });
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
  await costed.warm.flush();
  if (total(costed.recorder) + total(costed.warm) !== cs.registered) {
    throw new Error('cost: snapshot mismatch');
  }
  await same.runtime.shutdown();
  await costed.runtime.shutdown();

  // 2. and 3. Throughput over RUNS rounds of every variant, in the same order each round.
  const variants = [
    { label: 'one process', count: 0 },
    { label: '1 worker', count: 1 },
    { label: '2 workers', count: 2 },
    { label: '4 workers', count: 4, profile: true },
    { label: "1 worker, serialization: 'advanced'", count: 1, serialization: 'advanced' },
  ];
  if (baseline !== undefined) {
    variants.push(
      { label: '1 worker, baseline build', count: 1, core: baseline, build: BASELINE },
      { label: '2 workers, baseline build', count: 2, core: baseline, build: BASELINE },
      {
        label: "1 worker, baseline build, 'advanced'",
        count: 1,
        core: baseline,
        build: BASELINE,
        serialization: 'advanced',
      },
    );
  }
  const results = variants.map(() => ({ rate: [], share: [], cpuRate: [], primaryNs: [] }));
  let profileTop;
  for (let r = 0; r < RUNS; r++) {
    for (let v = 0; v < variants.length; v++) {
      const variant = variants[v];
      const count = variant.count;
      const events = EVENTS;
      const t = setup(variant.core);
      const workers = count === 0 ? [] : await fork(t.primary, count, variant);
      const profiling = r === RUNS - 1 && variant.profile === true;
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
      let answers = [];
      if (count === 0) {
        for (let seq = 0; seq < events; seq++) {
          t.recorder.registerEvent({ type: 'job.done', worker: 'main', seq });
          if ((seq + 1) % FLUSH_EVERY === 0) await t.recorder.flush();
        }
        await t.recorder.flush();
      } else {
        answers = await Promise.all(workers.map((w) => ask(w, { go: EVENTS / count })));
        if (answers.some((x) => x.stats.dropped !== 0)) {
          throw new Error(`${variant.label}: dropped`);
        }
        await t.recorder.flush();
      }
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      const workersCpuMs = answers.reduce((sum, x) => sum + x.cpuMs, 0);
      if (profiling) {
        const { profile } = await session.post('Profiler.stop');
        session.disconnect();
        profileTop = topSelfTime(profile);
      }
      if (total(t.recorder) !== events) {
        throw new Error(`${variant.label}: snapshot ${total(t.recorder)} != ${events}`);
      }
      const primaryCpuMs = (used.user + used.system) / 1000;
      const result = results[v];
      result.rate.push((events * 1000) / ms);
      result.share.push(primaryCpuMs / ms);
      result.cpuRate.push((events * 1000) / (primaryCpuMs + workersCpuMs));
      result.primaryNs.push((primaryCpuMs * 1e6) / events);
      await end(workers);
      await t.runtime.shutdown();
    }
  }
  cluster.setupPrimary({ serialization: 'json' });

  const sameCost = median(sameNs);
  const workerCost = median(workerNs);
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
  const [reference] = results;
  const refRate = median(reference.rate);
  for (let v = 1; v < variants.length; v++) {
    const rate = median(results[v].rate);
    const goal = variants[v].count === 1 && variants[v].core === undefined;
    rows.push(
      row(
        `cross-process throughput, ${variants[v].label} (primary CPU ${Math.round(median(results[v].share) * 100)}%)`,
        formatRate(rate),
        'one process',
        formatRate(refRate),
        formatRatio(rate / refRate),
        goal && variants[v].serialization === undefined ? '≥ 0.5×' : '',
        goal && variants[v].serialization === undefined ? rate / refRate >= 0.5 : undefined,
      ),
    );
  }
  const refNs = median(reference.primaryNs);
  for (let v = 1; v < variants.length; v++) {
    const ns = median(results[v].primaryNs);
    rows.push(
      row(
        `primary CPU per event, ${variants[v].label}`,
        formatNs(ns),
        'one process, CPU per event',
        formatNs(refNs),
        formatRatio(ns / refNs),
        '',
      ),
    );
  }
  const refCpuRate = median(reference.cpuRate);
  for (let v = 1; v < variants.length; v++) {
    const cpuRate = median(results[v].cpuRate);
    rows.push(
      row(
        `events per CPU-second (primary + workers), ${variants[v].label}`,
        formatRate(cpuRate),
        'one process',
        formatRate(refCpuRate),
        formatRatio(cpuRate / refCpuRate),
        '',
      ),
    );
  }
  printTable('Cluster mode (issue 22)', rows);
  console.log('\nPrimary CPU profile, 4 workers (self time; share of busy samples, idle apart):');
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
  const idle = [...byFunction.entries()]
    .filter(([key]) => key.startsWith('(idle)'))
    .reduce((sum, [, time]) => sum + time, 0);
  const busy = all - idle;
  return [
    `(idle: ${((idle / all) * 100).toFixed(1)}% of the run's samples)`,
    ...[...byFunction.entries()]
      .filter(([key]) => !key.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([key, time]) => `${((time / busy) * 100).toFixed(1).padStart(5)}%  ${key}`),
  ];
}
