// Not a bench (run.mjs runs *.bench.mjs only): core.bench.mjs's end-to-end workload split into its
// two halves, registration and processing, in ns per event, for variants of the metric set, beside
// the hand-rolled reference's two halves. One variant per process (variants in one process share
// V8's type feedback and slow each other down); the minimum over samples is the figure, which a
// busy neighbour can only raise. See bench/README.md, "Round 4".
//
//   node --expose-gc bench/core-steps.mjs five                 # the end-to-end row's 5 metrics
//   node --expose-gc bench/core-steps.mjs one /abs/core/dist   # another build of core
//
// Variants: five (core.bench.mjs's builtInMetrics: 1 accepting, 4 selecting other classes or a
// type), oneAttr (the accepting counter alone, attributes `{ outcome }`), oneConst (same, attribute
// objects made once), one (a counter without attributes), four (40 counters, 10 per class, events
// of 4 classes in turn).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const variant = process.argv[2] ?? 'five';
const dist = process.argv[3];
const core = await import(
  dist === undefined ? '@mvx-metrics/core' : pathToFileURL(join(dist, 'index.js')).href
);
const { counter, gauge, histogram, MetricEvent, MetricsRuntime, upDownCounter } = core;
const REPS = 150;
const K = 10_000; // events per sample, as core.bench.mjs's chunk

const OUTCOMES = ['success', 'failure'];
class DocumentSaveAttempt extends MetricEvent {
  constructor(outcome) {
    super();
    this.outcome = outcome;
  }
}
class DocumentRead extends MetricEvent {}
class QueueDepth extends MetricEvent {}
class SessionChanged extends MetricEvent {}
const FOUR = Array.from({ length: 4 }, () => class extends MetricEvent {});
const SUCCESS = { outcome: 'success' };
const FAILURE = { outcome: 'failure' };

const accepting = (attributes) =>
  counter({ name: 'document.save.attempts', on: DocumentSaveAttempt, attributes });
const variants = {
  five: () => [
    accepting((e) => ({ outcome: e.outcome })),
    counter({ name: 'document.reads', on: DocumentRead }),
    gauge({ name: 'queue.depth', on: QueueDepth, value: (e) => e.depth }),
    histogram({ name: 'query.duration', unit: 's', on: 'query.finished', value: (e) => e.s }),
    upDownCounter({ name: 'sessions.active', on: SessionChanged }),
  ],
  oneAttr: () => [accepting((e) => ({ outcome: e.outcome }))],
  oneConst: () => [accepting((e) => (e.outcome === 'success' ? SUCCESS : FAILURE))],
  one: () => [counter({ name: 'document.save.attempts', on: DocumentSaveAttempt })],
  four: () => Array.from({ length: 40 }, (_, i) => counter({ name: `c${i}`, on: FOUR[i % 4] })),
};
if (variants[variant] === undefined) throw new Error(`unknown variant ${variant}`);

// The reference: core.bench.mjs's hand-rolled buffer and its 5 metric classes, each testing its
// own event class with a literal `instanceof` (copied: importing core.bench.mjs runs it).
class CacheEvicted extends MetricEvent {}
class HandSaveAttempts {
  byOutcome = new Map();
  handleEvent(event) {
    if (!(event instanceof DocumentSaveAttempt)) return false;
    const outcome = event.outcome;
    this.byOutcome.set(outcome, (this.byOutcome.get(outcome) ?? 0) + 1);
    return true;
  }
}
class HandReads {
  total = 0;
  handleEvent(event) {
    if (!(event instanceof DocumentRead)) return false;
    this.total++;
    return true;
  }
}
class HandQueueDepth {
  total = 0;
  handleEvent(event) {
    if (!(event instanceof QueueDepth)) return false;
    this.total = event.depth;
    return true;
  }
}
class HandEvictions {
  total = 0;
  handleEvent(event) {
    if (!(event instanceof CacheEvicted)) return false;
    this.total++;
    return true;
  }
}
class HandSessions {
  total = 0;
  handleEvent(event) {
    if (!(event instanceof SessionChanged)) return false;
    this.total++;
    return true;
  }
}
const hand = {
  metrics: [
    new HandSaveAttempts(),
    new HandReads(),
    new HandQueueDepth(),
    new HandEvictions(),
    new HandSessions(),
  ],
  events: [],
  registerEvent(event) {
    this.events.push(event);
  },
  drain() {
    const events = this.events;
    this.events = [];
    const metrics = this.metrics;
    for (let i = 0; i < events.length; i++) {
      for (let m = 0; m < metrics.length; m++) metrics[m].handleEvent(events[i]);
    }
  },
};

const runtime = new MetricsRuntime({
  namespace: 'steps',
  onError: () => {},
  unhandledEvents: 'ignore',
});
runtime.start();
const recorder = runtime.createRecorder('steps', { metrics: variants[variant] });

// A producer per sink, compiled apart (own type feedback), as each bench process has its own.
const producer = (body) => new Function('C', 'OUTCOMES', 'FOUR', `return (sink, n) => { ${body} }`);
const save = 'for (let i = 0; i < n; i++) sink.registerEvent(new C(OUTCOMES[i & 1]));';
const four = 'for (let i = 0; i < n; i++) sink.registerEvent(new FOUR[i & 3]());';
const produceRef = producer(save)(DocumentSaveAttempt, OUTCOMES, FOUR);
const produce = producer(variant === 'four' ? four : save)(DocumentSaveAttempt, OUTCOMES, FOUR);

const steps = [
  {
    name: 'hand-rolled reference',
    produce: () => produceRef(hand, K),
    consume: () => hand.drain(),
  },
  {
    name: `recorder, ${variant}`,
    produce: () => produce(recorder, K),
    consume: () => recorder.processPending(),
  },
];
const times = steps.map(() => ({ produce: [], consume: [] }));
for (let r = 0; r < REPS; r++) {
  for (let j = 0; j < steps.length; j++) {
    for (const half of ['produce', 'consume']) {
      const start = performance.now();
      steps[j][half]();
      times[j][half].push(((performance.now() - start) * 1e6) / K);
    }
  }
  await new Promise((resolve) => setImmediate(resolve));
}
const min = (values) => Math.min(...values);
for (let j = 0; j < steps.length; j++) {
  const p = min(times[j].produce);
  const c = min(times[j].consume);
  console.log(
    `${steps[j].name.padEnd(28)} register ${p.toFixed(1)} ns  process ${c.toFixed(1)} ns  sum ${(p + c).toFixed(1)} ns`,
  );
}
const s = recorder.stats();
if (s.dropped !== 0 || s.failed !== 0) throw new Error(`unexpected stats ${JSON.stringify(s)}`);
await runtime.shutdown();
