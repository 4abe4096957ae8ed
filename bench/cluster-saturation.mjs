// Where a cluster primary saturates and what it spends its time on, for bench/README.md "Cluster
// mode: where the primary saturates" and docs/worker-threads.md (Cost). Not a *.bench.mjs: run it
// by hand after a build (a few runs of a few seconds each):
//
//   node --expose-gc bench/cluster-saturation.mjs [events, default 800 000] [rounds, default 2] [worker counts, default 1,2,4]
//
// For each worker count W, W workers (warmed up first, untimed, as in cluster.bench.mjs) share
// `events` `{ type, worker, seq }` events (flush every 16 384) into a counter with a `worker`
// attribute in one primary, which profiles itself (node:inspector, the timed window only). Prints
// events/s, the primary's CPU per event and busy share of the wall clock, the workers' CPU per
// event, and the primary's self time grouped by what it is for, as shares of its busy samples.
import cluster from 'node:cluster';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { gc } from './lib.mjs';

const FLUSH_EVERY = 16_384;
const WARM_EVENTS = 50_000;

async function produce(recorder, id, count) {
  for (let seq = 0; seq < count; seq++) {
    recorder.registerEvent({ type: 'job.done', worker: id, seq });
    if ((seq + 1) % FLUSH_EVERY === 0) await recorder.flush();
  }
  await recorder.flush();
}

if (cluster.isPrimary) await primary();
else await worker();

async function primary() {
  const [eventsArg, roundsArg, countsArg] = process.argv.slice(2);
  const events = Number(eventsArg ?? 800_000);
  const rounds = Number(roundsArg ?? 2);
  const counts = (countsArg ?? '1,2,4').split(',').map(Number);
  const { counter, MetricsRuntime } = await import('@mvx-metrics/core');
  for (let r = 0; r < rounds; r++) {
    for (const count of counts) {
      const runtime = new MetricsRuntime({ namespace: 'sat' });
      runtime.start();
      const metrics = () => [
        counter({ name: 'jobs.done', on: 'job.done', attributes: (e) => ({ worker: e.worker }) }),
      ];
      const recorder = runtime.createRecorder('jobs', { metrics });
      runtime.createRecorder('warmup', { metrics });
      const primary = runtime.clusterPrimary();
      const workers = [];
      for (let w = 0; w < count; w++) {
        const forked = cluster.fork();
        primary.attach(forked);
        workers.push(forked);
      }
      const hardStop = setTimeout(() => {
        for (const w of workers) w.process.kill('SIGKILL');
      }, 120_000);
      await Promise.all(
        workers.map((w) => new Promise((done) => w.on('message', (m) => m === 'ready' && done()))),
      );
      gc();
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
      const cpu = process.cpuUsage();
      const start = performance.now();
      const share = Math.floor(events / count);
      const answers = await Promise.all(
        workers.map(
          (w) =>
            new Promise((done) => {
              w.on('message', (m) => m?.cpuMs !== undefined && done(m));
              w.send({ go: share });
            }),
        ),
      );
      await recorder.flush();
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      const total = recorder.getMetricSnapshots()[0].points.reduce((sum, p) => sum + p.value, 0);
      if (total !== share * count) throw new Error(`counted ${total} of ${share * count}`);
      const primaryMs = (used.user + used.system) / 1000;
      const workersMs = answers.reduce((sum, a) => sum + a.cpuMs, 0);
      const sent = share * count;
      console.log(
        `${count} worker(s): ${((sent * 1000) / ms / 1e6).toFixed(2)} M events/s; primary CPU ${((primaryMs * 1e6) / sent).toFixed(0)} ns/event (${((primaryMs / ms) * 100).toFixed(0)} % of the wall clock); workers' CPU ${((workersMs * 1e6) / sent).toFixed(0)} ns/event`,
      );
      for (const line of groups(profile)) console.log(`  ${line}`);
      await Promise.all(
        workers.map((w) => {
          const exited = new Promise((done) => w.once('exit', done));
          w.process.kill('SIGTERM'); // by pid
          return exited;
        }),
      );
      clearTimeout(hardStop);
      await runtime.shutdown();
    }
  }
}

async function worker() {
  const { connectToPrimary } = await import('@mvx-metrics/core/cluster');
  const recorder = connectToPrimary('jobs');
  const id = `w${cluster.worker.id}`;
  process.on('SIGTERM', () => process.exit(0));
  process.on('message', async (message) => {
    if (message?.go === undefined) return;
    const cpu = process.cpuUsage();
    await produce(recorder, id, message.go);
    const used = process.cpuUsage(cpu);
    process.send({ cpuMs: (used.user + used.system) / 1000 });
  });
  // As cluster.bench.mjs: three calls of the timed function into another recorder, a pause for
  // V8's background compile jobs before the last, then a gc().
  const warm = connectToPrimary('warmup');
  for (let round = 0; round < 3; round++) {
    if (round === 2) await new Promise((resolve) => setTimeout(resolve, 100));
    await produce(warm, id, WARM_EVENTS);
  }
  gc();
  process.send('ready');
}

// The primary's self time by what it is for, as shares of its busy samples (idle apart).
function groups(profile) {
  const time = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const group = (name, url) =>
    /parseChannelMessages|string_decoder|channel.onread/.test(name + url)
      ? "Node's IPC read + JSON.parse"
      : /batch-decoder/.test(url) || (url === '' && name === '')
        ? 'cluster: decode (with the compiled shape makers)'
        : /worker-link|cluster-primary|protocol\.js/.test(url)
          ? 'cluster: receive, register, books'
          : /garbage/.test(name)
            ? 'garbage collector'
            : /writeUtf8String|_send|writeChannelMessage/.test(name + url)
              ? 'IPC write: flush answers (wall-clock samples when the write wakes a worker)'
              : /recorder\/|metrics\/|point-store|dispatcher|scheduler|bounded-queue|burst|internal\/|specialized/.test(
                    url,
                  )
                ? 'the recorder and the metric (what one process spends too)'
                : 'other (event loop, emit, timers)';
  const byGroup = new Map();
  const byFunction = new Map();
  let idle = 0;
  let busy = 0;
  for (const node of profile.nodes) {
    const t = time.get(node.id) ?? 0;
    const { functionName, url } = node.callFrame;
    if (functionName === '(idle)') {
      idle += t;
      continue;
    }
    if (functionName === 'dispatch' && url === '') continue; // the inspector's own Profiler.stop
    busy += t;
    const key = group(functionName, url);
    byGroup.set(key, (byGroup.get(key) ?? 0) + t);
    const fn = `${functionName || '(anonymous)'} (${url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1})`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
  }
  return [
    `idle ${((idle / (idle + busy)) * 100).toFixed(0)} % of the samples; busy samples:`,
    ...[...byGroup]
      .sort((a, b) => b[1] - a[1])
      .map(([key, t]) => `${((t / busy) * 100).toFixed(1).padStart(5)} %  ${key}`),
    'top functions:',
    ...[...byFunction]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([key, t]) => `${((t / busy) * 100).toFixed(1).padStart(5)} %  ${key}`),
  ];
}
