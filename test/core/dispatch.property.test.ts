// Property: the dispatch index changes which metrics are asked, never what a recorder computes.
// Against recorders mixing class, `type`, predicate and undeclared selectors (built-in and
// hand-written, some throwing), with subclasses, class events that carry a `type`, plain and
// prototype-less events, and metrics added mid-stream, a plain model written here predicts: the
// exact (event, metric) calls in order, every snapshot, the post-change hook, the stats and the
// unhandled-type reports.
import {
  counter,
  type Metric,
  MetricEvent,
  type MetricsError,
  MetricsRecorder,
  type MetricUpdate,
} from '@mvx-metrics/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

class Base extends MetricEvent {
  constructor(
    readonly n: number,
    readonly type?: string,
  ) {
    super();
  }
}
class Sub extends Base {}
class Other extends MetricEvent {
  constructor(readonly n: number) {
    super();
  }
}
type Ev = { n: number; type?: string };

// ---- selectors, as the model reads them ----

type Sel = 'Base' | 'Sub' | 'Other' | 'a' | 'b' | 'even' | 'none';
const SELECTORS: readonly Sel[] = ['Base', 'Sub', 'Other', 'a', 'b', 'even', 'none'];
const CLASSES = { Base, Sub, Other } as const;
const even = (e: object) => (e as Ev).n % 2 === 0;

function selectorOf(sel: Sel) {
  if (sel === 'Base' || sel === 'Sub' || sel === 'Other') return CLASSES[sel];
  if (sel === 'a' || sel === 'b') return sel;
  if (sel === 'even') return even;
  return undefined;
}

/** The static answer: is `event` offered to a metric declaring `sel`? (Predicates and undeclared: always.) */
function offered(sel: Sel, event: object): boolean {
  if (sel === 'Base' || sel === 'Sub' || sel === 'Other') return event instanceof CLASSES[sel];
  if (sel === 'a' || sel === 'b') return (event as Ev).type === sel;
  return true;
}
/** What the metric accepts once asked. */
function accepts(sel: Sel, event: object): boolean {
  return sel === 'even' ? even(event) : offered(sel, event);
}

// ---- metrics under test ----

interface Spec {
  readonly sel: Sel;
  readonly builtIn: boolean;
  /** Hand-written only: throws on events whose n is a multiple of 5. */
  readonly throws: boolean;
}

type Call = readonly [eventId: number, metric: string];

function makeMetric(name: string, spec: Spec, calls: Call[], ids: Map<object, number>): Metric {
  const selector = selectorOf(spec.sel);
  if (spec.builtIn) {
    return counter({ name, on: selector ?? (() => true), value: (e: Ev) => e.n });
  }
  let total = 0;
  const metric: Metric = {
    name,
    handleEvent(event: object, update?: MetricUpdate) {
      calls.push([ids.get(event) ?? -1, name]);
      if (spec.throws && (event as Ev).n % 5 === 0) throw new Error('boom');
      if (!accepts(spec.sel, event)) return false;
      total += (event as Ev).n;
      if (update !== undefined) {
        update.attributes = {};
        update.value = (event as Ev).n;
      }
      return true;
    },
    snapshot: () => ({ name, kind: 'counter', points: [{ attributes: {}, value: total }] }),
  };
  if (selector !== undefined) {
    Object.defineProperty(metric, 'descriptor', { value: { name, kind: 'counter', selector } });
  }
  return metric;
}

// ---- generators ----

const eventArb: fc.Arbitrary<object> = fc
  .tuple(
    fc.constantFrom('Base', 'Sub', 'Other', 'plain', 'bare'),
    fc.integer({ min: 0, max: 30 }),
    fc.constantFrom(undefined, 'a', 'b', 'c'),
  )
  .map(([shape, n, type]) => {
    if (shape === 'Base') return new Base(n, type);
    if (shape === 'Sub') return new Sub(n, type);
    if (shape === 'Other') return new Other(n);
    // plain: as structured-cloned from a worker; bare: no prototype at all
    const event: Ev = shape === 'plain' ? { n } : Object.create(null);
    event.n = n;
    if (type !== undefined) event.type = type;
    return event;
  });

const specArb: fc.Arbitrary<Spec> = fc.record({
  sel: fc.constantFrom(...SELECTORS),
  builtIn: fc.boolean(),
  throws: fc.boolean(),
});

type Action =
  | { op: 'register'; events: object[] }
  | { op: 'add'; spec: Spec }
  | { op: 'tick' }
  | { op: 'flush' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(eventArb, { minLength: 1, maxLength: 30 })
      .map((events): Action => ({ op: 'register', events })),
  },
  { weight: 2, arbitrary: specArb.map((spec): Action => ({ op: 'add', spec })) },
  { weight: 1, arbitrary: fc.constant<Action>({ op: 'tick' }) },
  { weight: 1, arbitrary: fc.constant<Action>({ op: 'flush' }) },
);

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function describeType(event: object): string {
  const type = (event as Ev).type;
  if (typeof type === 'string') return type;
  const ctor = (event as { constructor?: { name?: string } }).constructor;
  return ctor?.name || 'Object';
}

// ---- the model ----

interface Joined {
  readonly name: string;
  readonly spec: Spec;
  /** Events processed before the metric joined; it sees the ones after. */
  readonly from: number;
}

function model(events: readonly object[], joined: readonly Joined[]) {
  const calls: Call[] = [];
  const changes: Call[] = [];
  const totals = new Map<string, number>(joined.map((m) => [m.name, 0]));
  const unhandled = new Set<string>();
  let accepted = 0;
  let failed = 0;
  events.forEach((event, id) => {
    const present = joined.filter((m) => m.from <= id);
    const asked = present.filter((m) => offered(m.spec.sel, event));
    if (asked.length === 0) unhandled.add(describeType(event));
    let any = false;
    for (const m of asked) {
      if (!m.spec.builtIn) calls.push([id, m.name]);
      if (!m.spec.builtIn && m.spec.throws && (event as Ev).n % 5 === 0) {
        failed++;
        continue;
      }
      if (!accepts(m.spec.sel, event)) continue;
      any = true;
      changes.push([id, m.name]);
      totals.set(m.name, (totals.get(m.name) ?? 0) + (event as Ev).n);
    }
    if (any) accepted++;
  });
  return { calls, changes, totals, unhandled, accepted, failed };
}

describe('dispatch index (property)', () => {
  it.each(['immediate', 'sync'] as const)(
    'offers each event to exactly the metrics whose selector can accept it, in registration order (%s scheduler)',
    async (scheduler) => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(specArb, { maxLength: 6 }),
          fc.array(actionArb, { maxLength: 30 }),
          async (initial, actions) => {
            let now = 0;
            const errors: MetricsError[] = [];
            const calls: Call[] = [];
            const changes: Call[] = [];
            const ids = new Map<object, number>();
            const joined: Joined[] = [];
            const registered: object[] = [];
            const recorder = new MetricsRecorder('dispatch', {
              scheduler,
              // advances on every read: time budgets run out mid-batch
              clock: () => (now += 1),
              onError: (error) => errors.push(error),
            });
            const join = (spec: Spec) => {
              const name = `m${joined.length}`;
              joined.push({ name, spec, from: recorder.stats().processed });
              recorder.addMetric(makeMetric(name, spec, calls, ids));
            };
            for (const spec of initial) join(spec);
            recorder.onChange((change) => {
              changes.push([ids.get(change.event) ?? -1, change.metric.name]);
              expect(change.value).toBe((change.event as Ev).n);
            });
            recorder.start();

            const check = () => {
              const stats = recorder.stats();
              const processed = registered.slice(0, stats.processed);
              const want = model(processed, joined);
              expect(stats.registered).toBe(stats.processed + stats.dropped + stats.pending);
              expect(stats.registered).toBe(registered.length);
              expect(stats.dropped).toBe(0);
              expect(stats.accepted).toBe(want.accepted);
              expect(stats.ignored).toBe(stats.processed - want.accepted);
              expect(stats.failed).toBe(want.failed);
              expect(calls).toEqual(want.calls);
              expect(changes).toEqual(want.changes);
              const values = new Map(
                recorder
                  .getMetricSnapshots()
                  .map((s) => [
                    s.name,
                    s.points.reduce((t, p) => t + ('value' in p ? p.value : 0), 0),
                  ]),
              );
              expect(values).toEqual(want.totals);
              return want;
            };

            for (const action of actions) {
              if (action.op === 'register') {
                for (const event of action.events) {
                  // one object may appear twice in a burst: give each registration its own copy
                  const own = ids.has(event)
                    ? Object.assign(Object.create(Object.getPrototypeOf(event)), event)
                    : event;
                  ids.set(own, registered.length);
                  registered.push(own);
                  recorder.registerEvent(own);
                }
              } else if (action.op === 'add') {
                join(action.spec);
              } else if (action.op === 'tick') {
                await turn();
              } else {
                await recorder.flush();
              }
              check();
            }
            await recorder.flush();
            const want = check();
            expect(recorder.stats().pending).toBe(0);
            // Reported exactly: each type that met an empty list, once; nothing else.
            const reported = errors
              .filter((e) => e.code === 'unhandled-event-type')
              .map((e) => /of type "([^"]*)"/.exec(e.message)?.[1]);
            expect(new Set(reported).size).toBe(reported.length);
            expect(new Set(reported)).toEqual(want.unhandled);
          },
        ),
        { numRuns: 150 },
      );
    },
  );
});
