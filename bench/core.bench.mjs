// Figures of @mvx-metrics/core (issue 2), each measured beside its reference in this process.
// Run with `npm run bench` (or `node bench/run.mjs core` after a build). See bench/README.md.
//
//   node --expose-gc bench/core.bench.mjs [hot] [e2e] [memory] [loop]   # only these sections
//   MVX_CORE_DIST=/abs/other/core/dist node --expose-gc bench/core.bench.mjs e2e
//                                  # another build of core (a worktree of an earlier commit),
//                                  # against the same references: builds compare in one window

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

import promClient from 'prom-client';
import {
  compareAsync,
  compareSync,
  consume,
  formatBytes,
  formatMs,
  formatNs,
  formatRate,
  formatRatio,
  gc,
  machine,
  median,
  nextTurn,
  percentile,
  printTable,
  row,
} from './lib.mjs';

const coreDist = process.env.MVX_CORE_DIST;
const { counter, gauge, histogram, MetricEvent, MetricsRuntime, upDownCounter } = await import(
  coreDist === undefined ? '@mvx-metrics/core' : pathToFileURL(join(coreDist, 'index.js')).href
);

// OpenTelemetry reference: the repo's sdk-metrics, or (require()d) the one installed under
// $MVX_BENCH_SDK_METRICS, a folder whose node_modules holds another line (e.g. 3.x), so SDK lines
// compare on one machine in one window.
const otherSdk = process.env.MVX_BENCH_SDK_METRICS;
const sdkMetricsFrom = createRequire(
  otherSdk === undefined ? import.meta.url : pathToFileURL(join(otherSdk, 'x.js')),
);
const { MeterProvider, MetricReader } =
  otherSdk === undefined
    ? await import('@opentelemetry/sdk-metrics')
    : sdkMetricsFrom('@opentelemetry/sdk-metrics');
// 3.x does not export ./package.json: read it beside the resolved entry.
const sdkMetricsEntry = sdkMetricsFrom.resolve('@opentelemetry/sdk-metrics');
const sdkMetricsDir = sdkMetricsEntry.slice(
  0,
  sdkMetricsEntry.lastIndexOf('@opentelemetry/sdk-metrics') + '@opentelemetry/sdk-metrics'.length,
);
const sdkMetricsVersion = JSON.parse(
  readFileSync(join(sdkMetricsDir, 'package.json'), 'utf8'),
).version;

// ---------------------------------------------------------------------------------------------
// Events and metrics shared by every section

const OUTCOMES = ['success', 'failure'];

class DocumentSaveAttempt extends MetricEvent {
  constructor(outcome) {
    super();
    this.outcome = outcome;
  }
}
class DocumentRead extends MetricEvent {}
class QueueDepth extends MetricEvent {
  constructor(depth) {
    super();
    this.depth = depth;
  }
}
class CacheEvicted extends MetricEvent {}
class SessionChanged extends MetricEvent {}

/** Five built-in metrics; only the first accepts DocumentSaveAttempt, the others ignore it. */
function builtInMetrics() {
  return [
    counter({
      name: 'document.save.attempts',
      on: DocumentSaveAttempt,
      attributes: (e) => ({ outcome: e.outcome }),
    }),
    counter({ name: 'document.reads', on: DocumentRead }),
    gauge({ name: 'queue.depth', on: QueueDepth, value: (e) => e.depth }),
    histogram({ name: 'query.duration', unit: 's', on: 'query.finished', value: (e) => e.s }),
    upDownCounter({ name: 'sessions.active', on: SessionChanged }),
  ];
}

/**
 * The reference's five metrics, written by hand the way a seed metric is: each class tests its
 * own event class with a literal `instanceof`; the accepting one counts per outcome in a Map.
 */
class HandMetric {
  constructor(name) {
    this.name = name;
    this.total = 0;
  }
  snapshot() {
    return { name: this.name, kind: 'counter', points: [{ attributes: {}, value: this.total }] };
  }
}
class HandSaveAttempts extends HandMetric {
  constructor() {
    super('document.save.attempts');
    this.byOutcome = new Map();
  }
  handleEvent(event) {
    if (!(event instanceof DocumentSaveAttempt)) return false;
    const outcome = event.outcome;
    this.byOutcome.set(outcome, (this.byOutcome.get(outcome) ?? 0) + 1);
    return true;
  }
}
class HandReads extends HandMetric {
  handleEvent(event) {
    if (!(event instanceof DocumentRead)) return false;
    this.total++;
    return true;
  }
}
class HandQueueDepth extends HandMetric {
  handleEvent(event) {
    if (!(event instanceof QueueDepth)) return false;
    this.total = event.depth;
    return true;
  }
}
class HandEvictions extends HandMetric {
  handleEvent(event) {
    if (!(event instanceof CacheEvicted)) return false;
    this.total++;
    return true;
  }
}
class HandSessions extends HandMetric {
  handleEvent(event) {
    if (!(event instanceof SessionChanged)) return false;
    this.total++;
    return true;
  }
}
function handMetrics() {
  return [
    new HandSaveAttempts(),
    new HandReads('document.reads'),
    new HandQueueDepth('queue.depth'),
    new HandEvictions('cache.evictions'),
    new HandSessions('sessions.active'),
  ];
}

/** Reference: a tiny ring that stores small objects into a preallocated array with a mask. */
class PreallocatedRing {
  constructor(size) {
    this.slots = new Array(size).fill(undefined);
    this.mask = size - 1;
    this.head = 0;
    this.size = 0;
  }
  push(event) {
    this.slots[(this.head + this.size) & this.mask] = event;
    this.size++;
  }
  clear() {
    this.slots.fill(undefined);
    this.head = 0;
    this.size = 0;
  }
}

/** Reference: hand-rolled buffer drained by `setImmediate`, dispatching to metrics. */
class HandRolledBuffer {
  constructor(metrics) {
    this.metrics = metrics;
    this.events = [];
    this.scheduled = false;
    this.idle = [];
    this.drainNow = () => this.drain();
  }
  registerEvent(event) {
    this.events.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drainNow);
    }
  }
  drain() {
    const events = this.events;
    this.events = [];
    this.scheduled = false;
    const metrics = this.metrics;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      for (let m = 0; m < metrics.length; m++) metrics[m].handleEvent(event);
    }
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }
  flush() {
    if (this.events.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}

/** A MetricReader that never collects: records go to the SDK's real storage, nothing exports. */
class IdleReader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}

const quiet = () => {};

function startRuntime(name) {
  const runtime = new MetricsRuntime({ namespace: name, onError: quiet });
  runtime.start();
  return runtime;
}

function assertNoDrops(recorder, what) {
  const s = recorder.stats();
  if (s.dropped !== 0 || s.failed !== 0 || s.registered !== s.processed + s.pending) {
    throw new Error(`${what}: unexpected stats ${JSON.stringify(s)}`);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// 1. registerEvent hot path

async function hotPath() {
  // Timed: `n` calls of the production line `registerEvent(new DocumentSaveAttempt(outcome))`.
  // The runtime's real scheduler is running; it cannot run during the synchronous loop (it uses
  // setImmediate), so the loop measures exactly the handoff. Between timed chunks the bench
  // awaits recorder.flush(): the real scheduler processes the chunk through the metric, untimed
  // (processing is the end-to-end figure). Chunks of 4096 keep the ring at its warm size.
  const CHUNK = 4096;
  const ROUNDS = 64;
  const runtime = startRuntime('bench_hot');
  const recorder = runtime.createRecorder('hot', { metrics: builtInMetrics });

  const ring = new PreallocatedRing(1 << 16);
  const ringRun = (n) => {
    for (let i = 0; i < n; i++) ring.push(new DocumentSaveAttempt(OUTCOMES[i & 1]));
  };
  const registerRun = (n) => {
    for (let i = 0; i < n; i++) recorder.registerEvent(new DocumentSaveAttempt(OUTCOMES[i & 1]));
  };

  const provider = new MeterProvider({ readers: [new IdleReader()] });
  const otelCounter = provider.getMeter('bench').createCounter('document.save.attempts');
  const otelRun = (n) => {
    for (let i = 0; i < n; i++) otelCounter.add(1, { outcome: OUTCOMES[i & 1] });
  };

  const registry = new promClient.Registry();
  const promCounter = new promClient.Counter({
    name: 'document_save_attempts_total',
    help: 'attempts',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const promRun = (n) => {
    for (let i = 0; i < n; i++) promCounter.inc({ outcome: OUTCOMES[i & 1] });
  };

  const [ring1, reg1, otel1, prom1] = await compareSync(
    [
      { run: ringRun, between: () => ring.clear() },
      { run: registerRun, between: () => recorder.flush() },
      { run: otelRun },
      { run: promRun },
    ],
    { ops: CHUNK, rounds: ROUNDS },
  );
  const ringNs = ring1.nsPerOp;
  const regNs = reg1.nsPerOp;
  const otelNs = otel1.nsPerOp;
  const promNs = prom1.nsPerOp;

  // A burst of 65 536 (the default capacity) into a recorder that went idle after the previous
  // burst: the scheduler has visited it and found nothing. The ring a burst grew is kept while
  // bursts recur (given back after a sustained idle period, 5 s), so this is the price of a
  // recurring burst; the reference stores the same events into a preallocated ring. Timed in CPU
  // time: one burst sample is a few ms, which a busy neighbour on a shared machine can double.
  const BURST = 1 << 16;
  const idle = async () => {
    await recorder.flush();
    await nextTurn(); // the scheduler's visit that finds no new event
    await nextTurn();
  };
  const [burst1, ringBurst1] = await compareSync(
    [
      { run: registerRun, between: idle },
      { run: ringRun, between: () => ring.clear() },
    ],
    { ops: BURST, rounds: 4, samples: 9, cpu: true },
  );
  const burstNs = burst1.nsPerOp;
  const ringBurstNs = ringBurst1.nsPerOp;

  await recorder.flush();
  const stats = assertNoDrops(recorder, 'hot path');
  consume(stats);
  await runtime.shutdown();
  await provider.shutdown();

  return [
    row(
      'registerEvent (warm ring, chunks of 4096)',
      formatNs(regNs),
      'store into preallocated ring',
      formatNs(ringNs),
      formatRatio(regNs / ringNs),
      '≤ 2.5×',
      regNs / ringNs <= 2.5,
    ),
    row(
      `OTel counter.add(1, {outcome}) / registerEvent (sdk-metrics ${sdkMetricsVersion})`,
      formatNs(otelNs),
      'registerEvent',
      formatNs(regNs),
      formatRatio(otelNs / regNs),
      '≥ 8× cheaper',
      otelNs / regNs >= 8,
    ),
    row(
      'prom-client counter.inc({outcome}) / registerEvent',
      formatNs(promNs),
      'registerEvent',
      formatNs(regNs),
      formatRatio(promNs / regNs),
      '',
      undefined,
    ),
    row(
      'registerEvent burst of 65 536 after idle (bursts recur; CPU time)',
      formatNs(burstNs),
      'same burst into preallocated ring',
      formatNs(ringBurstNs),
      formatRatio(burstNs / ringBurstNs),
      '≤ 1.5×',
      burstNs / ringBurstNs <= 1.5,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// 2. End to end: register → processed by 5 metrics (one accepting)

/**
 * Registers `total` events into `sink` (`registerEvent(e)`, `flush()`) in setImmediate chunks,
 * then waits until all are processed. A method call rather than a callback, so the loop inlines
 * each sink's registerEvent like production code would.
 */
async function produce(sink, total, chunk) {
  let i = 0;
  while (i < total) {
    const end = Math.min(total, i + chunk);
    for (; i < end; i++) sink.registerEvent(new DocumentSaveAttempt(OUTCOMES[i & 1]));
    await nextTurn();
  }
  await sink.flush();
}

async function endToEnd() {
  // Timed: wall clock from the first registerEvent to flush() resolving, for N events produced
  // in chunks of 10 000 per turn (below the default 65 536 capacity, so nothing is dropped),
  // event creation and processing included. Same producer for every row.
  const N = 1_000_000;
  const CHUNK = 10_000;
  const opts = { ops: N, samples: 7, warmup: 1 };

  const hand = new HandRolledBuffer(handMetrics());
  const runtime = startRuntime('bench_e2e');
  const builtIn = runtime.createRecorder('built_in', { metrics: builtInMetrics });
  const handRecorder = runtime.createRecorder('hand', { metrics: handMetrics });
  const refJob = (n) => produce(hand, n, CHUNK);
  const builtInJob = (n) => produce(builtIn, n, CHUNK);
  const handJob = (n) => produce(handRecorder, n, CHUNK);
  // The figure first: built-in metrics only. Then the recorder with the reference's own metric
  // classes. Then the built-in figure again: once the process has also run five hand-written
  // metric classes, the recorder's dispatch site has seen nine classes (megamorphic) — what an
  // application mixing built-in and hand-written metrics gets.
  const [ref1, builtIn1] = await compareAsync([refJob, builtInJob], opts);
  const [ref2, hand1] = await compareAsync([refJob, handJob], opts);
  const [ref3, mixed1] = await compareAsync([refJob, builtInJob], opts);
  const refRate = ref1.opsPerSecond;
  const builtInRate = builtIn1.opsPerSecond;
  const accepted = builtIn.getMetricSnapshots()[0].points.reduce((sum, p) => sum + p.value, 0);
  if (accepted !== 2 * N * (opts.samples + opts.warmup)) {
    // Drops (a host that starves this process fills the bounded buffer) or a lost event: the
    // stats tell which.
    throw new Error(
      `end to end: the accepting metric counted ${accepted} events; stats ${JSON.stringify(builtIn.stats())}`,
    );
  }
  assertNoDrops(builtIn, 'end to end');
  assertNoDrops(handRecorder, 'end to end (hand-written metrics)');
  await runtime.shutdown();

  return [
    row(
      'end to end, 5 built-in metrics (1 accepting)',
      formatRate(builtInRate),
      'hand-rolled buffer + setImmediate + 5 instanceof metrics',
      formatRate(refRate),
      formatRatio(builtInRate / refRate),
      '≥ 10 M/s',
      builtInRate >= 10e6,
    ),
    row(
      'same, events per CPU second (context: immune to a busy neighbour)',
      formatRate(builtIn1.cpuOpsPerSecond),
      'reference, events per CPU second',
      formatRate(ref1.cpuOpsPerSecond),
      formatRatio(builtIn1.cpuOpsPerSecond / ref1.cpuOpsPerSecond),
      '',
      undefined,
    ),
    row(
      'end to end, recorder + the reference’s 5 metric classes',
      formatRate(hand1.opsPerSecond),
      'reference (interleaved with this row)',
      formatRate(ref2.opsPerSecond),
      formatRatio(hand1.opsPerSecond / ref2.opsPerSecond),
      '',
      undefined,
    ),
    row(
      'end to end, built-in, after hand-written classes ran (mixed process)',
      formatRate(mixed1.opsPerSecond),
      'reference (interleaved with this row)',
      formatRate(ref3.opsPerSecond),
      formatRatio(mixed1.opsPerSecond / ref3.opsPerSecond),
      '',
      undefined,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// 3. Memory per pending event

function heapDelta(fill) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = fill();
  gc();
  const after = process.memoryUsage().heapUsed;
  consume(kept);
  return after - before;
}

async function memory() {
  // N = the default capacity, registered synchronously, so processing has not run when the heap
  // is read. The delta covers the event objects and the ring (grown from its idle size).
  const N = 1 << 16;
  const SAMPLES = 5;
  const runtime = startRuntime('bench_memory');
  const context = { traceId: 'shared' };

  // A fresh recorder per sample (created before the first heap reading), so its ring starts at
  // its idle size and the growth to N slots is part of the figure.
  const fillRecorder = (r) => () => {
    for (let i = 0; i < N; i++) r.registerEvent(new DocumentSaveAttempt(OUTCOMES[i & 1]));
    if (r.stats().pending !== N) throw new Error('memory: events were processed or dropped');
    return r;
  };
  const fillArray = () => {
    const kept = new Array(N).fill(undefined);
    for (let i = 0; i < N; i++) kept[i] = new DocumentSaveAttempt(OUTCOMES[i & 1]);
    return kept;
  };

  const rec = [];
  const ctx = [];
  const ref = [];
  for (let s = 0; s < SAMPLES + 1; s++) {
    const plain = runtime.createRecorder(`memory_${s}`, { metrics: builtInMetrics });
    const a = heapDelta(fillRecorder(plain)) / N;
    await plain.flush();
    const captured = runtime.createRecorder(`memory_ctx_${s}`, { metrics: builtInMetrics });
    captured.setContextCapture(() => context);
    const b = heapDelta(fillRecorder(captured)) / N;
    await captured.flush();
    const c = heapDelta(fillArray) / N;
    if (s > 0) {
      rec.push(a);
      ctx.push(b);
      ref.push(c);
    }
  }
  await runtime.shutdown();
  const recB = median(rec);
  const ctxB = median(ctx);
  const refB = median(ref);
  return [
    row(
      'heap per pending event (ring slot included)',
      formatBytes(recB),
      'same events in a preallocated array',
      formatBytes(refB),
      formatRatio(recB / refB),
      '≤ 64 B',
      recB <= 64,
    ),
    row(
      'heap per pending event, context capture on',
      formatBytes(ctxB),
      'same events in a preallocated array',
      formatBytes(refB),
      formatRatio(ctxB / refB),
      '',
      undefined,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// 4. Event-loop delay while a producer registers 1 M events

async function loopDelay() {
  // The producer registers 1 M events as fast as it can, in chunks of 10 000 per setImmediate
  // turn: a producer that registered all 1 M in one synchronous loop would itself block the
  // loop (and overflow any bounded buffer), which says nothing about processing. Meanwhile a
  // setTimeout(0) probe re-arms itself and records how late it fires beyond its 1 ms minimum,
  // and monitorEventLoopDelay samples the loop. Baseline: the same producer storing into a
  // preallocated ring, no processing. Runs alternate baseline / processing, so a busy neighbour
  // on the machine weighs on both; the delay attributable to processing is the difference.
  const N = 1_000_000;
  const CHUNK = 10_000;
  const RUNS = 6;

  function observer() {
    return { probes: [], eldP99: [], eldMax: 0 };
  }

  async function observe(into, sink) {
    let probing = true;
    const probe = () => {
      const armed = performance.now();
      setTimeout(() => {
        into.probes.push(Math.max(0, performance.now() - armed - 1));
        if (probing) probe();
      }, 0);
    };
    // A fresh monitor per run: a re-enabled one would count the time it was disabled as delay.
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    probe();
    await produce(sink, N, CHUNK);
    probing = false;
    histogram.disable();
    into.eldP99.push(histogram.percentile(99) / 1e6);
    into.eldMax = Math.max(into.eldMax, histogram.max / 1e6);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }

  const summary = ({ probes, eldP99, eldMax }) => ({
    probeP99: percentile(probes, 99),
    probeCount: probes.length,
    eldP99: median(eldP99),
    eldWorstP99: Math.max(...eldP99),
    eldMax,
  });

  const ring = new PreallocatedRing(1 << 14);
  const baselineSink = {
    registerEvent(event) {
      ring.push(event);
      if (ring.size === CHUNK) ring.clear();
    },
    flush: () => Promise.resolve(),
  };
  const runtime = startRuntime('bench_delay');
  const recorder = runtime.createRecorder('delay', { metrics: builtInMetrics });
  const base = observer();
  const proc = observer();
  for (let r = 0; r < RUNS; r++) {
    await observe(base, baselineSink);
    await observe(proc, recorder);
  }
  assertNoDrops(recorder, 'event-loop delay');
  await runtime.shutdown();
  const baseline = summary(base);
  const processed = summary(proc);

  const diff = (a, b) => `${a - b >= 0 ? '+' : '−'}${formatMs(Math.abs(a - b))}`;
  return [
    row(
      `setTimeout(0) probe lateness p99 (${processed.probeCount} / ${baseline.probeCount} probes)`,
      formatMs(processed.probeP99),
      'same producer, no processing',
      formatMs(baseline.probeP99),
      diff(processed.probeP99, baseline.probeP99),
      '< 10 ms over baseline',
      processed.probeP99 - baseline.probeP99 < 10,
    ),
    row(
      `monitorEventLoopDelay p99 (median of ${RUNS} runs)`,
      formatMs(processed.eldP99),
      'same producer, no processing',
      formatMs(baseline.eldP99),
      diff(processed.eldP99, baseline.eldP99),
      '< 10 ms over baseline',
      processed.eldP99 - baseline.eldP99 < 10,
    ),
    row(
      `monitorEventLoopDelay p99, worst of ${RUNS} runs`,
      formatMs(processed.eldWorstP99),
      'same producer, no processing',
      formatMs(baseline.eldWorstP99),
      diff(processed.eldWorstP99, baseline.eldWorstP99),
      '',
      undefined,
    ),
    row(
      'monitorEventLoopDelay max',
      formatMs(processed.eldMax),
      'same producer, no processing',
      formatMs(baseline.eldMax),
      diff(processed.eldMax, baseline.eldMax),
      '',
      undefined,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------

const SECTIONS = {
  hot: ['registerEvent hot path (ns per call, event creation included)', hotPath],
  e2e: ['End to end (events per second, register → processed)', endToEnd],
  memory: ['Memory (heap bytes per pending event)', memory],
  loop: ['Event-loop delay while registering 1 M events', loopDelay],
};
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !Object.hasOwn(SECTIONS, name));
if (unknown.length > 0) {
  throw new Error(
    `unknown section(s) ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`,
  );
}
const started = performance.now();
console.log(`Machine: ${await machine()}\n`);
if (coreDist !== undefined) console.log(`@mvx-metrics/core from ${coreDist}\n`);
for (const [name, [title, section]] of Object.entries(SECTIONS)) {
  if (wanted.length === 0 || wanted.includes(name)) printTable(title, await section());
}
console.log(`core.bench.mjs took ${((performance.now() - started) / 1000).toFixed(1)} s`);
