// Figures of the dispatch index (issue 14): what an event costs as a recorder grows, each figure
// measured beside its reference in this process. Run with `node bench/run.mjs dispatch` after a
// build. `node --expose-gc bench/dispatch.bench.mjs /abs/path/to/core/dist/index.js` measures
// another build of core (e.g. main's) with the same script, for a before/after in one window.

import { performance } from 'node:perf_hooks';
import {
  compareAsync,
  formatRate,
  formatRatio,
  machine,
  nextTurn,
  printTable,
  row,
} from './lib.mjs';

const CORE = process.argv[2] ?? '@mvx-metrics/core';
const { counter, MetricEvent, MetricsRuntime } = await import(CORE);

// ---------------------------------------------------------------------------------------------
// Events and metrics

class DocumentSaveAttempt extends MetricEvent {}

/** `n` distinct event classes no event of the workload is an instance of. */
function otherClasses(n) {
  return Array.from({ length: n }, (_, i) => {
    const cls = class extends MetricEvent {};
    Object.defineProperty(cls, 'name', { value: `Other${i}` });
    return cls;
  });
}
const OTHERS = otherClasses(64);

/** One counter accepts DocumentSaveAttempt; the `n - 1` others select other classes. */
function oneAccepting(n) {
  return () => [
    ...OTHERS.slice(0, Math.floor((n - 1) / 2)).map((cls, i) =>
      counter({ name: `other.before.${i}`, on: cls }),
    ),
    counter({ name: 'document.save.attempts', on: DocumentSaveAttempt }),
    ...OTHERS.slice(Math.floor((n - 1) / 2), n - 1).map((cls, i) =>
      counter({ name: `other.after.${i}`, on: cls }),
    ),
  ];
}

/** As `oneAccepting(n)`, with every other metric selecting by predicate instead of by class. */
function halfPredicates(n) {
  return () =>
    oneAccepting(n)().map((metric, i) => {
      if (metric.name === 'document.save.attempts' || i % 2 === 1) return metric;
      const cls = OTHERS[i];
      return counter({ name: `${metric.name}.predicate`, on: (e) => e instanceof cls });
    });
}

const FOUR = otherClasses(4);
const FOUR_TYPES = ['type.a', 'type.b', 'type.c', 'type.d'];

/** 40 counters, 10 per event class of FOUR. */
function fourClasses() {
  return Array.from({ length: 40 }, (_, i) => counter({ name: `per.class.${i}`, on: FOUR[i % 4] }));
}
/** 40 counters, 10 per `type` string of FOUR_TYPES (events as they arrive from a worker). */
function fourTypes() {
  return Array.from({ length: 40 }, (_, i) =>
    counter({ name: `per.type.${i}`, on: FOUR_TYPES[i % 4] }),
  );
}

// ---------------------------------------------------------------------------------------------
// Producers: `total` events in chunks of 10 000 per setImmediate turn, then flush(). Wall clock from the first registerEvent to flush() resolving: event
// creation and processing included.

const CHUNK = 10_000;

// A producer faster than the metrics would fill the buffer and drop (the figure would then count
// dropped events as done): past half the capacity it waits for the recorder to catch up.
async function turn(recorder) {
  await nextTurn();
  if (recorder.stats().pending > 32_768) await recorder.flush();
}

async function produceSaves(recorder, total) {
  let i = 0;
  while (i < total) {
    const end = Math.min(total, i + CHUNK);
    for (; i < end; i++) recorder.registerEvent(new DocumentSaveAttempt());
    await turn(recorder);
  }
  await recorder.flush();
}

async function produceFourClasses(recorder, total) {
  let i = 0;
  while (i < total) {
    const end = Math.min(total, i + CHUNK);
    for (; i < end; i++) recorder.registerEvent(new FOUR[i & 3]());
    await turn(recorder);
  }
  await recorder.flush();
}

async function produceFourTypes(recorder, total) {
  let i = 0;
  while (i < total) {
    const end = Math.min(total, i + CHUNK);
    for (; i < end; i++) recorder.registerEvent({ type: FOUR_TYPES[i & 3] });
    await turn(recorder);
  }
  await recorder.flush();
}

/** Checks the work was done: `accepted` events per sample, every metric's total as expected. */
function check(recorder, what, expected) {
  const s = recorder.stats();
  if (s.dropped !== 0 || s.failed !== 0 || s.pending !== 0 || s.processed !== s.accepted) {
    throw new Error(`${what}: unexpected stats ${JSON.stringify(s)}`);
  }
  const total = recorder
    .getMetricSnapshots()
    .reduce((sum, snap) => sum + snap.points.reduce((t, p) => t + p.value, 0), 0);
  if (total !== expected)
    throw new Error(`${what}: metrics counted ${total}, expected ${expected}`);
}

// ---------------------------------------------------------------------------------------------

async function dispatch() {
  const N = 1_000_000;
  const opts = { ops: N, samples: 7, warmup: 1 };
  const runs = opts.samples + opts.warmup;
  const runtime = new MetricsRuntime({ namespace: 'bench_dispatch', onError: () => {} });
  runtime.start();
  const sizes = [1, 5, 20, 50];
  const recorders = sizes.map((n) =>
    runtime.createRecorder(`metrics_${n}`, { metrics: oneAccepting(n) }),
  );
  const predicates = runtime.createRecorder('half_predicates', { metrics: halfPredicates(50) });
  const classes4 = runtime.createRecorder('four_classes', { metrics: fourClasses });
  const types4 = runtime.createRecorder('four_types', { metrics: fourTypes });

  const jobs = [
    ...recorders.map((r) => (n) => produceSaves(r, n)),
    (n) => produceSaves(predicates, n),
    (n) => produceFourClasses(classes4, n),
    (n) => produceFourTypes(types4, n),
  ];
  // Interleaved samples: a busy neighbour weighs on every row alike.
  const results = await compareAsync(jobs, opts);
  for (const [i, r] of recorders.entries()) check(r, `${sizes[i]} metrics`, N * runs);
  check(predicates, 'half predicates', N * runs);
  check(classes4, 'four classes', 10 * N * runs);
  check(types4, 'four types', 10 * N * runs);
  await runtime.shutdown();

  return {
    wall: tableRows(results.map((r) => r.opsPerSecond)),
    cpu: tableRows(results.map((r) => r.cpuOpsPerSecond)),
  };
}

/** The table, from the rates of the jobs in `dispatch()`'s order. */
function tableRows(rates) {
  const [r1, r5, r20, r50, rPred, rClasses, rTypes] = rates;
  const vs5 = (label, rate, target, pass) =>
    row(
      label,
      formatRate(rate),
      '5 metrics, 1 accepting',
      formatRate(r5),
      formatRatio(rate / r5),
      target,
      pass,
    );
  return [
    vs5('end to end, 1 metric (accepting)', r1, '', undefined),
    row(
      'end to end, 5 metrics, 1 accepting',
      formatRate(r5),
      '(reference of this table)',
      formatRate(r5),
      formatRatio(1),
      '',
      undefined,
    ),
    vs5('end to end, 20 metrics, 1 accepting', r20, '', undefined),
    vs5('end to end, 50 metrics, 1 accepting', r50, '≥ 0.8×', r50 / r5 >= 0.8),
    row(
      '50 metrics, 1 accepting, half of them by predicate',
      formatRate(rPred),
      '50 metrics by class',
      formatRate(r50),
      formatRatio(rPred / r50),
      '',
      undefined,
    ),
    vs5(
      '4 event classes over 40 metrics (10 per class; each event accepted by 10)',
      rClasses,
      '',
      undefined,
    ),
    row(
      '4 `type` strings over 40 metrics, plain events (as from a worker)',
      formatRate(rTypes),
      '4 classes over 40 metrics',
      formatRate(rClasses),
      formatRatio(rTypes / rClasses),
      '',
      undefined,
    ),
  ];
}

const started = performance.now();
console.log(
  `Machine: ${await machine()}${CORE === '@mvx-metrics/core' ? '' : `\nCore: ${CORE}`}\n`,
);
const { wall, cpu } = await dispatch();
printTable('Dispatch: end to end as the recorder grows (events per second)', wall);
// The same samples per CPU second of this process: steadier than wall time on a busy machine.
printTable('Dispatch, same samples, events per CPU second', cpu);
console.log(`dispatch.bench.mjs took ${((performance.now() - started) / 1000).toFixed(1)} s`);
