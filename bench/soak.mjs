// Soak: the highest event rate this machine sustains, for MVX_SOAK_SECONDS (default 30 under
// CI=true, 20 otherwise), through runtime → bridge → pipeline, with a real Prometheus (loopback,
// temp data dir) scraping /metrics every second. Samples retained heap (after gc) once a second,
// measures event-loop delay, and at the end checks that nothing was lost outside counted drops and
// that exported totals (our /metrics and Prometheus' own TSDB) equal core totals.
// Prints human-readable figures and one JSON line `{"result": ...}`.
//
//   npm run build && node --expose-gc bench/soak.mjs
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { counter, gauge, histogram, MetricsRuntime, upDownCounter } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';

const ci = process.env.CI === 'true';
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by this script only, not by a turbo task
const seconds = Number(process.env.MVX_SOAK_SECONDS ?? (ci ? 30 : 20));
const PROMETHEUS = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((p) => existsSync(p));
const RECORDERS = 8;
const CAPACITY = 65_536;
const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run with --expose-gc');
if (PROMETHEUS === undefined && ci)
  throw new Error('prometheus is required under CI=true: apt-get install prometheus');

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes) => Math.round((bytes / 2 ** 20) * 100) / 100;

// --- the service ---------------------------------------------------------------------------------
const errors = [];
const runtime = new MetricsRuntime({
  namespace: 'soak',
  maxPendingEvents: CAPACITY,
  onError: (e) => errors.push(e.message),
});
runtime.start();
const pipeline = await createOtelPipeline({
  serviceName: 'soak',
  prometheus: { host: '127.0.0.1', port: 0 },
  otlp: false,
  registerGlobals: false,
});
const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
const OUTCOMES = ['success', 'failure', 'retry'];
const metrics = () => [
  counter({
    name: 'requests',
    on: 'request',
    attributes: (e) => ({ outcome: e.outcome }),
    initial: OUTCOMES.map((outcome) => ({ outcome })),
  }),
  histogram({ name: 'latency', unit: 's', on: 'request', value: (e) => e.seconds }),
  upDownCounter({
    name: 'inflight',
    on: 'request',
    value: (e) => (e.outcome === 'retry' ? 1 : -1),
  }),
  gauge({ name: 'size', unit: 'By', on: 'request', value: (e) => e.size }),
];
const recorders = Array.from({ length: RECORDERS }, (_, i) =>
  runtime.createRecorder(`conn-${i}`, { metrics }),
);

// --- Prometheus scraping /metrics every second ---------------------------------------------------
const promUrl = new URL(pipeline.prometheusUrl);
let prometheus;
let promApi;
const dataDir = mkdtempSync(join(tmpdir(), 'mvx-soak-'));
if (PROMETHEUS !== undefined) {
  const apiPort = await freePort();
  promApi = `http://127.0.0.1:${apiPort}`;
  writeFileSync(
    join(dataDir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n  - job_name: soak\n    static_configs:\n      - targets: ['127.0.0.1:${promUrl.port}']\n`,
  );
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dataDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dataDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${apiPort}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let promLog = '';
  prometheus.stderr.on('data', (chunk) => {
    promLog = (promLog + chunk).slice(-4000);
  });
  prometheus.on('exit', (code) => {
    if (code !== 0 && code !== null && !stopping)
      console.error(`prometheus exited ${code}:\n${promLog}`);
  });
  for (let i = 0; i < 100; i++) {
    const ready = await fetch(`${promApi}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await sleep(100);
  }
}
let stopping = false;
const query = async (expr) => {
  const response = await fetch(`${promApi}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = await response.json();
  return body.data?.result ?? [];
};
const stopPrometheus = async () => {
  stopping = true;
  if (prometheus !== undefined && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000)]);
    if (prometheus.exitCode === null) prometheus.kill('SIGKILL');
  }
  rmSync(dataDir, { recursive: true, force: true });
};
process.on('exit', () => prometheus?.exitCode === null && prometheus.kill('SIGKILL'));

// --- load ---------------------------------------------------------------------------------------
const retained = () => {
  gc();
  return process.memoryUsage().heapUsed;
};
const loop = monitorEventLoopDelay({ resolution: 5 });
const samples = [];
let batch = 256;
let producing = true;
let sent = 0;
const produce = () => {
  if (!producing) return;
  for (let i = 0; i < batch; i++) {
    const n = sent++;
    recorders[n % RECORDERS].registerEvent({
      type: 'request',
      outcome: OUTCOMES[n % 3],
      seconds: (n % 997) / 1000,
      size: n % 4096,
    });
  }
  // Highest sustainable rate: grow while every buffer stays shallow, back off as one fills.
  let pending = 0;
  for (const recorder of recorders) pending = Math.max(pending, recorder.stats().pending);
  if (pending < CAPACITY / 32) batch = Math.min(20_000, Math.ceil(batch * 1.05));
  else if (pending > CAPACITY / 8) batch = Math.max(64, Math.floor(batch / 2));
  setImmediate(produce);
};

const heapInitial = retained();
loop.enable();
const started = performance.now();
setImmediate(produce);
let lastSent = 0;
while (performance.now() - started < seconds * 1000) {
  await sleep(1_000);
  const now = performance.now();
  const heap = retained();
  const pending = recorders.reduce((sum, r) => sum + r.stats().pending, 0);
  samples.push({ t: Math.round((now - started) / 1000), heap, pending, rate: sent - lastSent });
  lastSent = sent;
}
producing = false;
loop.disable();
const elapsed = (performance.now() - started) / 1000;
await Promise.all(recorders.map((r) => r.flush()));

// --- accounting ---------------------------------------------------------------------------------
const totals = { registered: 0, processed: 0, dropped: 0, pending: 0, failed: 0, rejected: 0 };
for (const recorder of recorders) {
  const stats = recorder.stats();
  for (const key of Object.keys(totals)) totals[key] += stats[key];
}
const lost = sent - totals.processed - totals.dropped - totals.pending - totals.rejected;
const coreRequests = recorders.reduce(
  (sum, r) => sum + r.getMetricSnapshots()[0].points.reduce((s, p) => s + p.value, 0),
  0,
);
const coreLatencyCount = recorders.reduce(
  (sum, r) => sum + r.getMetricSnapshots()[1].points[0].count,
  0,
);
const body = await (await fetch(pipeline.prometheusUrl)).text();
const sumSamples = (name) =>
  body
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
const exportedRequests = sumSamples('soak_requests_total');
const exportedLatencyCount = sumSamples('soak_latency_seconds_count');

let prom;
if (promApi !== undefined) {
  await sleep(2_500); // at least two more scrapes after the flush
  const value = async (expr) => Number((await query(expr))[0]?.value?.[1] ?? Number.NaN);
  // an empty result (e.g. no failed scrape at all) means zero
  const value0 = async (expr) => Number((await query(expr))[0]?.value?.[1] ?? 0);
  prom = {
    requests: await value('sum(soak_requests_total)'),
    latencyCount: await value('sum(soak_latency_seconds_count)'),
    up: await value('up{job="soak"}'),
    scrapes: await value(`count_over_time(up{job="soak"}[${Math.ceil(elapsed) + 5}s])`),
    failedScrapes: await value0(
      `count_over_time((up{job="soak"} == 0)[${Math.ceil(elapsed) + 5}s:1s])`,
    ),
    maxScrapeSeconds: await value(
      `max_over_time(scrape_duration_seconds{job="soak"}[${Math.ceil(elapsed) + 5}s])`,
    ),
  };
}
await stopPrometheus();
bridge.detach();
await runtime.shutdown();
await pipeline.shutdown();

// --- figures ------------------------------------------------------------------------------------
const heaps = samples.map((s) => s.heap);
const steady = heaps.slice(Math.min(2, heaps.length - 1)); // after warm-up (JIT, first points)
const n = steady.length;
const xs = steady.map((_, i) => i);
const meanX = xs.reduce((a, b) => a + b, 0) / n;
const meanY = steady.reduce((a, b) => a + b, 0) / n;
const slope =
  n > 1
    ? xs.reduce((acc, x, i) => acc + (x - meanX) * (steady[i] - meanY), 0) /
      xs.reduce((acc, x) => acc + (x - meanX) ** 2, 0)
    : 0;
const third = Math.max(1, Math.floor(steady.length / 3));
const average = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const result = {
  seconds: Math.round(elapsed * 10) / 10,
  recorders: RECORDERS,
  events: sent,
  ratePerSec: Math.round(sent / elapsed),
  minRatePerSec: Math.min(...samples.map((s) => s.rate)),
  totals,
  lostOutsideCountedDrops: lost,
  invariantHolds: recorders.every((r) => {
    const s = r.stats();
    return s.registered === s.processed + s.dropped + s.pending;
  }),
  coreRequests,
  exportedRequests,
  coreLatencyCount,
  exportedLatencyCount,
  prometheus: prom,
  heapMB: {
    initial: mb(heapInitial),
    start: mb(steady[0]),
    end: mb(steady[steady.length - 1]),
    peak: mb(Math.max(...steady)),
    slopeKBperSec: Math.round((slope / 1024) * 10) / 10,
    // average of the last third of the run minus the first third: growth that is not noise
    growth: mb(average(steady.slice(-third)) - average(steady.slice(0, third))),
  },
  pendingPeak: Math.max(...samples.map((s) => s.pending)),
  eventLoopDelayMs: {
    p50: Math.round((loop.percentile(50) / 1e6) * 100) / 100,
    p99: Math.round((loop.percentile(99) / 1e6) * 100) / 100,
    max: Math.round((loop.max / 1e6) * 100) / 100,
  },
  errors: errors.slice(0, 5),
  samples: samples.map((s) => [s.t, mb(s.heap), s.pending, s.rate]),
};
console.log(
  [
    `soak ${result.seconds}s, ${RECORDERS} recorders: ${result.events} events at ${result.ratePerSec}/s (slowest second ${result.minRatePerSec})`,
    `  registered ${totals.registered} = processed ${totals.processed} + dropped ${totals.dropped} + pending ${totals.pending}; lost outside counted drops: ${lost}`,
    `  exported requests ${exportedRequests} / core ${coreRequests}; latency count ${exportedLatencyCount} / core ${coreLatencyCount}`,
    prom === undefined
      ? '  prometheus: not installed (apt-get install prometheus)'
      : `  prometheus: sum(requests) ${prom.requests}, scrapes ${prom.scrapes} (failed ${prom.failedScrapes}), slowest scrape ${prom.maxScrapeSeconds}s`,
    `  heap MB (after gc): start ${result.heapMB.start}, end ${result.heapMB.end}, peak ${result.heapMB.peak}, last third − first third ${result.heapMB.growth}, slope ${result.heapMB.slopeKBperSec} KB/s`,
    `  event-loop delay: p50 ${result.eventLoopDelayMs.p50} ms, p99 ${result.eventLoopDelayMs.p99} ms, max ${result.eventLoopDelayMs.max} ms`,
  ].join('\n'),
);
console.log(JSON.stringify({ result }));
