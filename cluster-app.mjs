// A service run as a node:cluster: workers answer HTTP requests and register one event per
// request with connectToPrimary; the primary owns the runtime, drives the load, kills workers by
// pid and re-forks them, and drains everything on SIGTERM. It prints `ready` once the workers
// listen and one `{ "result": ... }` line at the end. Scenarios (argv[2]):
//   kill   — SIGKILL a worker every KILL_EVERY_MS while load runs, re-fork it
//   flood  — one worker registers as fast as it can, with a small buffer
// Every process it starts is ended by pid; a hard timer bounds the whole run.
import cluster from 'node:cluster';
import http from 'node:http';
import { counter, MetricsRuntime } from '@mvx-metrics/core';
import { connectToPrimary } from '@mvx-metrics/core/cluster';

const scenario = process.argv[2] ?? 'kill';
// biome-ignore lint/suspicious/noUndeclaredEnvVars: the fixture's own settings, not a turbo task's
const WORKERS = Number(process.env.WORKERS ?? 2);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: the fixture's own settings, not a turbo task's
const KILL_EVERY_MS = Number(process.env.KILL_EVERY_MS ?? 400);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: the fixture's own settings, not a turbo task's
const KILLS = Number(process.env.KILLS ?? 3);

if (cluster.isPrimary) await primary();
else await worker();

async function primary() {
  // From the start, and `on` (not `once`): no SIGTERM may find the primary without a handler.
  const terminated = new Promise((resolve) => process.on('SIGTERM', resolve));
  const hardStop = setTimeout(() => {
    for (const w of Object.values(cluster.workers)) w?.process.kill('SIGKILL');
    console.error('hard timeout');
    process.exit(3);
  }, 60_000);
  hardStop.unref();
  const errors = [];
  const runtime = new MetricsRuntime({ namespace: 'svc', onError: (e) => errors.push(e.code) });
  const recorder = runtime.createRecorder('service', {
    metrics: [counter({ name: 'requests', on: 'request' })],
  });
  runtime.start();
  const primary = runtime.clusterPrimary();
  primary.attachCluster(cluster);
  const env = { SCENARIO: scenario };
  let port = 0;
  const listeningIds = new Set();
  const listening = new Promise((resolve) => {
    cluster.on('listening', (w, address) => {
      listeningIds.add(w.id);
      port = address.port;
      resolve();
    });
  });
  for (let i = 0; i < WORKERS; i++) cluster.fork(env);
  await listening;

  // Counter reads: sampled through the run, never allowed to go down.
  let last = 0;
  let wentDown = 0;
  const total = () => recorder.getMetricSnapshots()[0].points.reduce((s, p) => s + p.value, 0);
  const sampler = setInterval(() => {
    recorder.processPending();
    const now = total();
    if (now < last) wentDown++;
    last = now;
  }, 20);

  let sent = 0;
  let ok = 0;
  let failed = 0;
  let loading = scenario === 'kill';
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const one = () =>
    new Promise((resolve) => {
      sent++;
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) ok++;
          else failed++;
          resolve();
        });
      });
      // A connection handed to a worker as it was killed may never be answered.
      req.setTimeout(2000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        failed++;
        resolve();
      });
    });
  const loops = [];
  if (loading) {
    for (let i = 0; i < 8; i++) {
      loops.push(
        (async () => {
          while (loading) await one();
        })(),
      );
    }
  }

  const killed = [];
  const refork = (w, code, signal) => {
    if (draining) return;
    console.log(`worker ${w.process.pid} died (${signal ?? code}); forking a replacement`);
    cluster.fork(env);
  };
  let draining = false;
  cluster.on('exit', refork);
  if (scenario === 'kill') {
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, KILL_EVERY_MS));
      const victim = Object.values(cluster.workers)[0];
      killed.push(victim.process.pid);
      process.kill(victim.process.pid, 'SIGKILL');
    }
    await new Promise((r) => setTimeout(r, KILL_EVERY_MS));
  }
  let peakHeap = 0;
  let startHeap = 0;
  if (scenario === 'flood') {
    globalThis.gc?.();
    startHeap = process.memoryUsage().heapUsed;
    const heap = setInterval(() => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }, 10);
    await new Promise((r) => setTimeout(r, 1500));
    clearInterval(heap);
  }
  // A replacement forked just now may still be loading: a message sent before its listener
  // exists is lost, so wait until every worker listens.
  while (!Object.values(cluster.workers).every((w) => listeningIds.has(w.id))) {
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log('ready');
  await terminated;

  // Drain: stop the load, ask every worker to finish, wait for every exit (bounded), then the runtime.
  loading = false;
  await Promise.all(loops);
  agent.destroy();
  draining = true;
  const workerStats = [];
  const exits = Object.values(cluster.workers).map(
    (w) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          console.error(`worker ${w.process.pid} did not drain in 10 s: SIGKILL`);
          w.process.kill('SIGKILL');
        }, 10_000);
        w.on('message', (m) => {
          if (m?.workerStats) workerStats.push(m.workerStats);
        });
        w.once('exit', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal });
        });
        w.on('error', () => {}); // a worker that is already gone cannot be told
        if (w.isConnected()) w.send({ cmd: 'drain' });
      }),
  );
  const exitCodes = await Promise.all(exits);
  clearInterval(sampler);
  await runtime.shutdown();
  const stats = primary.stats();
  const rstats = recorder.stats();
  console.log(
    JSON.stringify({
      result: {
        scenario,
        sent,
        ok,
        failed,
        killed,
        exitCodes,
        counter: total(),
        wentDown,
        primary: stats,
        recorder: rstats,
        workerStats,
        errors,
        heapMB: { start: startHeap / 2 ** 20, peak: peakHeap / 2 ** 20 },
      },
    }),
  );
  process.exit(0);
}

async function worker() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: the fixture's own settings, not a turbo task's
  const flood = process.env.SCENARIO === 'flood';
  const recorder = connectToPrimary('service', {
    onError: () => {},
    ...(flood ? { maxPendingEvents: 4096, batchSize: 256 } : {}),
  });
  let flooding = flood && cluster.worker.id === 1;
  if (flooding) {
    const burst = () => {
      for (let i = 0; i < 5000; i++) recorder.registerEvent({ type: 'request' });
      if (flooding) setImmediate(burst);
    };
    setImmediate(burst);
  }
  const server = http.createServer((_req, res) => {
    recorder.registerEvent({ type: 'request' });
    // Answer after this turn's batch went to the channel: a response then proves the primary
    // was told about the event (see README, "what a SIGKILL can lose").
    setImmediate(() => res.end('ok'));
  });
  server.listen(0, '127.0.0.1');
  let drained = false;
  const drain = async () => {
    if (drained) return;
    drained = true;
    flooding = false;
    server.close();
    server.closeAllConnections?.();
    await recorder.flush();
    recorder.close();
    process.send({ workerStats: recorder.stats() }, () => process.exit(0));
  };
  process.on('message', (m) => {
    if (m?.cmd === 'drain') void drain();
  });
  // A signal to the whole process group (Ctrl-C, systemd): drain this worker the same way.
  process.on('SIGTERM', () => void drain());
  process.on('SIGINT', () => void drain());
}
