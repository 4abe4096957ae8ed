// Where a cluster primary's (and its worker's) time goes, for bench/README.md "Cluster mode: where
// the primary's time goes". Not a *.bench.mjs: run it by hand, under --cpu-prof, once per build.
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/cluster-profile.mjs [core dist dir] [events]
//   node bench/cluster-profile.mjs summarize /tmp/prof/<file>.cpuprofile
//
// The primary forks one worker (execArgv inherited, so it writes a profile too) that registers
// `events` (default 2 M) `{ type, worker, seq }` events with connectToPrimary, flushing every
// 16 384, into a counter with a `worker` attribute; it prints both processes' CPU time per event.
// `summarize` prints a profile's self time per function as shares of the busy (non-idle) samples.
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [first, second] = process.argv.slice(2);
if (first === 'summarize') summarize(second);
else if (cluster.isPrimary) await primary();
else await worker();

function coreUrl(entry) {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by the primary for its worker
  const dist = process.env.MVX_PROFILE_DIST;
  return dist ? pathToFileURL(`${dist}/${entry}`).href : undefined;
}

async function primary() {
  const dist = first ? resolve(first) : undefined;
  const events = Number(second ?? 2_000_000);
  if (dist) process.env.MVX_PROFILE_DIST = dist;
  const { counter, MetricsRuntime } = await import(coreUrl('index.js') ?? '@mvx-metrics/core');
  const runtime = new MetricsRuntime({ namespace: 'profile' });
  runtime.start();
  const recorder = runtime.createRecorder('jobs', {
    metrics: [
      counter({ name: 'jobs.done', on: 'job.done', attributes: (e) => ({ worker: e.worker }) }),
    ],
  });
  runtime.clusterPrimary().attachCluster(cluster);
  const child = cluster.fork({ MVX_PROFILE_EVENTS: String(events) });
  const hardStop = setTimeout(() => child.process.kill('SIGKILL'), 120_000);
  await new Promise((done) => child.on('message', (m) => m === 'ready' && done()));
  const cpu = process.cpuUsage();
  const start = performance.now();
  const answer = await new Promise((done) => {
    child.on('message', (m) => m?.cpuMs !== undefined && done(m));
    child.send('go');
  });
  await recorder.flush();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const total = recorder.getMetricSnapshots()[0].points.reduce((sum, p) => sum + p.value, 0);
  if (total !== events) throw new Error(`counted ${total} of ${events}`);
  const primaryMs = (used.user + used.system) / 1000;
  console.log(
    `${events} events in ${ms.toFixed(0)} ms; primary CPU ${primaryMs.toFixed(0)} ms (${((primaryMs * 1e6) / events).toFixed(0)} ns/event), worker CPU ${answer.cpuMs.toFixed(0)} ms (${((answer.cpuMs * 1e6) / events).toFixed(0)} ns/event)`,
  );
  child.once('exit', () => clearTimeout(hardStop));
  child.process.kill('SIGTERM'); // by pid; the worker exits and writes its profile
  await runtime.shutdown();
}

async function worker() {
  const { connectToPrimary } = await import(
    coreUrl('cluster/worker.js') ?? '@mvx-metrics/core/cluster'
  );
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by the primary for its worker
  const events = Number(process.env.MVX_PROFILE_EVENTS);
  const recorder = connectToPrimary('jobs');
  process.on('SIGTERM', () => process.exit(0));
  process.on('message', async (message) => {
    if (message !== 'go') return;
    const cpu = process.cpuUsage();
    for (let seq = 0; seq < events; seq++) {
      recorder.registerEvent({ type: 'job.done', worker: 'w1', seq });
      if ((seq + 1) % 16_384 === 0) await recorder.flush();
    }
    await recorder.flush();
    const used = process.cpuUsage(cpu);
    process.send({ cpuMs: (used.user + used.system) / 1000 });
  });
  process.send('ready');
}

function summarize(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const time = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map();
  let idle = 0;
  let all = 0;
  for (const node of profile.nodes) {
    const t = time.get(node.id) ?? 0;
    all += t;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += t;
      continue;
    }
    const where = url ? `${url.split('/').slice(-2).join('/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} (${where || (functionName === 'anonymous' ? 'compiled shape maker' : '')})`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + t);
  }
  const busy = all - idle;
  console.log(
    `${(all / 1000).toFixed(0)} ms sampled, idle ${((idle / all) * 100).toFixed(1)} %; self time as shares of busy samples:`,
  );
  for (const [key, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`${((t / busy) * 100).toFixed(1).padStart(5)} %  ${key}`);
  }
}
