// The processing side (issue 24): what happens to an event after `registerEvent`, in the soak's
// shape, against the release before issues 9–14 built from its commit (bench/previous.mjs, cached
// in bench/.previous/ on first use), and what a series costs in memory against sdk-metrics.
// Run with `npm run bench` (or `node bench/run.mjs processing` after a build).
// `node --expose-gc bench/processing.bench.mjs ab` runs only sections (a) and (b).
//
// (a) soak-shaped processing: 8 recorders × 4 metrics (counter with 3 initial outcome points,
//     histogram, up-down counter, gauge), every metric accepting every event, plain `{ type }`
//     events as bench/soak.mjs sends them; the bridge on the producer path (a MetricProducer read
//     by a PrometheusExporter, no server) and one Prometheus text serialisation per sample. Timed:
//     registration, processing (the runtime's scheduler, awaited with flush()) and the scrape;
//     events per CPU second and per wall second. This build and the previous release alternate,
//     sample by sample, in this process; both totals are checked against the events sent.
// (b) bytes allocated per processed event, same workload: 2 000 events registered untimed, a full
//     GC, then `processPending()` measured as the growth of `heapUsed` (a sample during which any
//     GC ran is discarded, detected by v8's GCProfiler; the reading's own object taken out); the
//     same with 8 000 events. Per event = the slope between the two (what grows with the events);
//     what is left at no event is per processPending() call. With the bridge attached (its hook
//     logs the change; the collection is not in this figure) and with no listener (core alone:
//     0 B is the goal). The same two figures for the previous release, as context.
// (c) retained heap per counter series: N attribute sets ({ key: 'k<i>' }), one event each, then a
//     collection; heap after a full GC, minus the heap before, over N. Core alone; core with the
//     bridge on the producer path (after the collection that builds its mirror); the reference is
//     an sdk-metrics 2.12 counter with the same N series (`add(1, { key })`), read once by a
//     reader (cumulative). N = 1 000, 100 000 and 1 000 000 (`MVX_BENCH_SERIES=1000,100000` to
//     skip the million).

import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import * as current from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  formatBytes,
  formatRate,
  formatRatio,
  gc,
  machine,
  median,
  printTable,
  row,
} from './lib.mjs';
import { loadPrevious, PREVIOUS_COMMIT } from './previous.mjs';

const SECTIONS = process.argv[2] ?? 'abc';
// The reference build's name in the tables (MVX_BENCH_PREVIOUS may name another commit).
const PREVIOUS_NAME =
  PREVIOUS_COMMIT === '7fcde66'
    ? 'the release before issues 9–14 (7fcde66)'
    : `the build of ${PREVIOUS_COMMIT}`;
console.log(`${await machine()}\n`);

const table = (title, rows) =>
  printTable(
    title,
    rows.map((r) => row(...r)),
  );

const builds = {
  current: { core: current, bridge: { attachOtelBridge, createMetricProducer } },
};
let previous;
try {
  previous = await loadPrevious();
  builds.previous = previous;
} catch (error) {
  console.log(`The previous release could not be built, its rows are skipped: ${error.message}\n`);
}

// ---------------------------------------------------------------------------------------------
// The soak's workload

const RECORDERS = 8;
const OUTCOMES = ['success', 'failure', 'retry'];
const EVENTS = Array.from({ length: 4096 }, (_, n) => ({
  type: 'request',
  outcome: OUTCOMES[n % 3],
  seconds: (n % 997) / 1000,
  size: n % 4096,
}));

// The counter's attribute sets, made once: the 'table' variant of (b) hands these out, so the
// user's functions allocate nothing and what remains is the library's own allocation.
const OUTCOME_ATTRIBUTES = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, { outcome }]));

function soakMetrics(core, table = false) {
  return () => [
    core.counter({
      name: 'requests',
      on: 'request',
      attributes: table ? (e) => OUTCOME_ATTRIBUTES[e.outcome] : (e) => ({ outcome: e.outcome }),
      initial: OUTCOMES.map((outcome) => ({ outcome })),
    }),
    core.histogram({ name: 'latency', unit: 's', on: 'request', value: (e) => e.seconds }),
    core.upDownCounter({
      name: 'inflight',
      on: 'request',
      value: (e) => (e.outcome === 'retry' ? 1 : -1),
    }),
    core.gauge({ name: 'size', unit: 'By', on: 'request', value: (e) => e.size }),
  ];
}

/** The soak's service in `build`: a runtime of 8 recorders, the bridge on the producer path unless `bridged` is false. */
function soakService({ core, bridge }, bridged = true, table = false) {
  const runtime = new core.MetricsRuntime({
    namespace: 'soak',
    maxPendingEvents: 65_536,
    onError: (e) => {
      throw e;
    },
  });
  runtime.start();
  let exporter;
  let provider;
  if (bridged) {
    const producer = bridge.createMetricProducer();
    exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [producer] });
    provider = new MeterProvider({ readers: [exporter] });
    bridge.attachOtelBridge(runtime, { metricProducer: producer, selfTelemetry: false });
  }
  const recorders = Array.from({ length: RECORDERS }, (_, i) =>
    runtime.createRecorder(`conn-${i}`, { metrics: soakMetrics(core, table) }),
  );
  return { runtime, recorders, exporter, provider };
}

const serializer = new PrometheusSerializer();
/** One scrape's work: a collection serialised to the text format; returns the requests total. */
async function scrape(exporter) {
  const { resourceMetrics, errors } = await exporter.collect();
  if (errors.length > 0) throw errors[0];
  const text = serializer.serialize(resourceMetrics);
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('soak_requests_total{')) total += Number(line.slice(line.lastIndexOf(' ')));
  }
  return total;
}

const E2E_EVENTS = 24 * 16_384; // 393 216
const CHUNK = 16_384; // per recorder turn: 8 × 2 048, under each recorder's bound

async function soakSample(service, state) {
  const { recorders, exporter } = service;
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let done = 0; done < E2E_EVENTS; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) {
      const n = done + i;
      recorders[n % RECORDERS].registerEvent(EVENTS[n & 4095]);
    }
    await Promise.all(recorders.map((r) => r.flush()));
  }
  const total = await scrape(exporter);
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  state.sent += E2E_EVENTS;
  if (total !== state.sent) throw new Error(`soak bench: exported ${total} of ${state.sent}`);
  return {
    cpu: (E2E_EVENTS * 1e6) / (used.user + used.system),
    wall: (E2E_EVENTS * 1000) / elapsed,
  };
}

if (SECTIONS.includes('a') && previous !== undefined) {
  const names = ['current', 'previous'];
  const services = names.map((name) => soakService(builds[name]));
  const states = names.map(() => ({ sent: 0 }));
  const results = names.map(() => []);
  const SAMPLES = 9;
  const WARMUP = 2;
  for (let s = 0; s < WARMUP + SAMPLES; s++) {
    // Alternate which build goes first, so neither always follows the other's garbage.
    const order = s % 2 === 0 ? [0, 1] : [1, 0];
    for (const j of order) {
      gc();
      const value = await soakSample(services[j], states[j]);
      if (s >= WARMUP) results[j].push(value);
    }
  }
  const med = (j, field) => median(results[j].map((r) => r[field]));
  const cpuRatio = med(0, 'cpu') / med(1, 'cpu');
  const wallRatio = med(0, 'wall') / med(1, 'wall');
  table(
    `Soak-shaped processing (8 recorders × 4 metrics, bridge on the producer path, Prometheus text), ${E2E_EVENTS} events per sample`,
    [
      [
        'this build, events per CPU second',
        formatRate(med(0, 'cpu')),
        PREVIOUS_NAME,
        formatRate(med(1, 'cpu')),
        formatRatio(cpuRatio),
        '≥ 1.3×',
        cpuRatio >= 1.3,
      ],
      [
        'same, wall clock',
        formatRate(med(0, 'wall')),
        'same reference, wall clock',
        formatRate(med(1, 'wall')),
        formatRatio(wallRatio),
        '',
        undefined,
      ],
    ],
  );
  for (const { provider, runtime } of services) {
    await provider.shutdown();
    await runtime.shutdown();
  }
}

// ---------------------------------------------------------------------------------------------
// (b) bytes allocated per processed event

const ALLOC_EVENTS = 2_000; // 8 × 250 per recorder; well inside the young generation
const ALLOC_EVENTS_LARGE = 8_000; // 8 × 1 000: the second size, for the per-event slope

/**
 * Bytes allocated by the recorders' processPending() of `events` events, median over samples no
 * GC ran in. Reading `heapUsed` allocates itself (the object `memoryUsage()` returns is made after
 * the figure is read, so it lands inside the window): it is read twice before, and the growth
 * between those two reads, that object alone, is taken out.
 */
async function bytesPerSample(service, events, viaScheduler = false) {
  const values = [];
  let discarded = 0;
  for (let s = 0; values.length < 15 && s < 60; s++) {
    for (let n = 0; n < events; n++) {
      service.recorders[n % RECORDERS].registerEvent(EVENTS[n & 4095]);
    }
    gc();
    const profiler = new v8.GCProfiler();
    profiler.start();
    const first = process.memoryUsage().heapUsed;
    const before = process.memoryUsage().heapUsed;
    if (viaScheduler) await Promise.all(service.recorders.map((recorder) => recorder.flush()));
    else for (const recorder of service.recorders) recorder.processPending();
    const after = process.memoryUsage().heapUsed;
    const gcs = profiler.stop().statistics.length;
    // A collection every 20 samples, as a scrape would: the mirror's log is applied and emptied.
    if (service.exporter !== undefined && s % 20 === 19) await scrape(service.exporter);
    if (s < 3) continue; // warm-up
    if (gcs > 0) {
      discarded++;
      continue;
    }
    values.push(after - before - (before - first));
  }
  if (values.length === 0) throw new Error(`every allocation sample saw a GC (${discarded})`);
  return median(values);
}

/**
 * Per processed event: the slope between samples of 2 000 and 8 000 events (what grows with the
 * events), and what is left per sample at no event, per recorder (what each processPending() call
 * costs whatever it processes, e.g. code not optimised yet).
 */
async function bytesPerEvent(service, viaScheduler = false) {
  const small = await bytesPerSample(service, ALLOC_EVENTS, viaScheduler);
  const large = await bytesPerSample(service, ALLOC_EVENTS_LARGE, viaScheduler);
  const perEvent = (large - small) / (ALLOC_EVENTS_LARGE - ALLOC_EVENTS);
  return { perEvent, perCall: (small - perEvent * ALLOC_EVENTS) / RECORDERS };
}

if (SECTIONS.includes('b')) {
  const measure = async (build, bridged, table = false, viaScheduler = false) => {
    if (build === undefined) return { perEvent: Number.NaN, perCall: Number.NaN };
    const service = soakService(build, bridged, table);
    const bytes = await bytesPerEvent(service, viaScheduler);
    await service.provider?.shutdown();
    await service.runtime.shutdown();
    return bytes;
  };
  const withBridge = await measure(builds.current, true);
  const alone = await measure(builds.current, false);
  const aloneTable = await measure(builds.current, false, true);
  const bridgeTable = await measure(builds.current, true, true);
  const scheduled = await measure(builds.current, false, true, true);
  const prevBridge = await measure(previous, true);
  const prevAlone = await measure(previous, false);
  table(
    `Bytes allocated per processed event, soak workload (8 × 4 metrics): slope between ${ALLOC_EVENTS} and ${ALLOC_EVENTS_LARGE} events per sample`,
    [
      [
        'bridge attached (producer path), per processed event',
        formatBytes(withBridge.perEvent),
        `${PREVIOUS_NAME}, same`,
        formatBytes(prevBridge.perEvent),
        formatRatio(withBridge.perEvent / prevBridge.perEvent),
        '≤ 64 B',
        withBridge.perEvent <= 64,
      ],
      [
        'no listener (core alone)',
        formatBytes(alone.perEvent),
        `${PREVIOUS_NAME}, same`,
        formatBytes(prevAlone.perEvent),
        '',
        '',
        undefined,
      ],
      [
        'no listener, the counter’s attribute objects made once (nothing allocated by user code)',
        formatBytes(aloneTable.perEvent),
        'nothing',
        formatBytes(0),
        '',
        '0 B',
        // Any object per event is ≥ 16 B; 0.05 B would be one per 320 events.
        Math.abs(aloneTable.perEvent) < 0.05,
      ],
      [
        'bridge attached, attribute objects made once',
        formatBytes(bridgeTable.perEvent),
        'nothing',
        formatBytes(0),
        '',
        '',
        undefined,
      ],
      [
        // The runtime's scheduler checks its time budget every 128 events: performance.now()
        // returns a new heap number on Node 20 and 22 (16 B per read, 0.125 B per event), none
        // on Node 24. Fewer reads would let a turn run longer past its budget when events turn
        // slow (bench/README.md, "Round 4").
        `no listener, objects made once, through the runtime's scheduler (flush(); a clock read per 128 events), Node ${process.versions.node}`,
        formatBytes(scheduled.perEvent),
        'processPending(), same',
        formatBytes(aloneTable.perEvent),
        '',
        '',
        undefined,
      ],
      [
        'per processPending() call, whatever it processes (no listener, objects made once; per recorder)',
        formatBytes(aloneTable.perCall),
        'with the bridge',
        formatBytes(bridgeTable.perCall),
        '',
        '',
        undefined,
      ],
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// (c) retained heap per series

class HeldReader extends MetricReader {
  onForceFlush() {
    return Promise.resolve();
  }
  onShutdown() {
    return Promise.resolve();
  }
}

const keyOf = (i) => `k${i}`;

/** Heap retained by `copies` independent builds of `n` series each, after a full GC. */
async function retained(n, build, copies) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = [];
  for (let c = 0; c < copies; c++) held.push(await build(n));
  gc();
  const after = process.memoryUsage().heapUsed;
  for (const h of held) await h.close();
  return after - before;
}

/**
 * Per series: (heap with n series − heap with the same setup and 1 series) / (n − 1), so the fixed
 * cost of a runtime, a provider or a reader is not spread over the series. Below 100 000 series
 * the setup is built `100 000 / n` times side by side (one figure over 100 000 series): a few
 * hundred kB of compiled code and feedback would otherwise move the 1 000-series figure by ±200 B.
 * The attribute values (KEYS) are made before either baseline: every variant shares the strings.
 */
async function retainedPerSeries(n, build) {
  const copies = Math.max(1, Math.floor(100_000 / n));
  const one = await retained(1, build, copies);
  const many = await retained(n, build, copies);
  return (many - one) / (copies * (n - 1));
}

async function coreSeries(n, bridged) {
  const { core } = builds.current;
  const runtime = new current.MetricsRuntime({ namespace: 'heap', maxPendingEvents: 65_536 });
  runtime.start();
  let reader;
  if (bridged) {
    const producer = createMetricProducer();
    reader = new HeldReader({ metricProducers: [producer] });
    new MeterProvider({ readers: [reader] });
    attachOtelBridge(runtime, { metricProducer: producer, selfTelemetry: false });
  }
  const recorder = runtime.createRecorder('r', {
    metrics: () => [
      core.counter({
        name: 'series',
        on: 'hit',
        attributes: (e) => ({ key: e.key }),
        cardinalityLimit: n + 1,
      }),
    ],
  });
  for (let i = 0; i < n; i++) {
    recorder.registerEvent({ type: 'hit', key: KEYS[i] });
    if ((i & 32_767) === 32_767) recorder.processPending();
  }
  recorder.processPending();
  let count;
  if (reader !== undefined) {
    const { resourceMetrics } = await reader.collect();
    count = resourceMetrics.scopeMetrics.find((s) => s.scope.name === 'heap')?.metrics[0]
      ?.dataPoints.length;
  } else {
    count = recorder.getMetrics()[0].snapshot().points.length;
  }
  if (count !== n) throw new Error(`heap bench: ${count} series of ${n}`);
  return { close: () => runtime.shutdown(), runtime, reader };
}

async function sdkSeries(n) {
  const reader = new HeldReader({ cardinalitySelector: () => n + 1 });
  const provider = new MeterProvider({ readers: [reader] });
  const counter = provider.getMeter('heap').createCounter('series');
  for (let i = 0; i < n; i++) counter.add(1, { key: KEYS[i] });
  const { resourceMetrics } = await reader.collect();
  const count = resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints.length;
  if (count !== n) throw new Error(`heap bench: sdk-metrics kept ${count} series of ${n}`);
  return { close: () => provider.shutdown(), provider, counter, reader };
}

let KEYS = [];
if (SECTIONS.includes('c')) {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: a bench switch, not an input of a turbo task
  const sizes = (process.env.MVX_BENCH_SERIES ?? '1000,100000,1000000').split(',').map(Number);
  const rows = [];
  for (const n of sizes) {
    KEYS = Array.from({ length: n }, (_, i) => keyOf(i));
    const sdk = await retainedPerSeries(n, sdkSeries);
    const alone = await retainedPerSeries(n, (m) => coreSeries(m, false));
    const bridged = await retainedPerSeries(n, (m) => coreSeries(m, true));
    const label = n.toLocaleString('en-US');
    rows.push(
      [
        `${label} series, core + bridge (producer path, after a collection)`,
        formatBytes(bridged),
        'sdk-metrics counter, same series, after a collection',
        formatBytes(sdk),
        formatRatio(bridged / sdk),
        '≤ 1.0×',
        bridged <= sdk,
      ],
      [
        `${label} series, core alone`,
        formatBytes(alone),
        'same reference',
        formatBytes(sdk),
        formatRatio(alone / sdk),
        '',
        undefined,
      ],
    );
  }
  KEYS = [];
  table('Retained heap per counter series (heap after a full GC, per series)', rows);
}
