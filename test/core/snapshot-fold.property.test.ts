// Property: whatever events arrive and however registerEvent and flush interleave, every snapshot
// equals a reference fold of the events processed so far, and the stats invariant always holds.
import {
  counter,
  gauge,
  histogram,
  MetricEvent,
  type MetricSnapshot,
  MetricsRecorder,
  type RecorderStats,
  upDownCounter,
} from '@mvx-metrics/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

class Save extends MetricEvent {
  constructor(
    readonly outcome: 'ok' | 'err',
    readonly n: number,
  ) {
    super();
  }
}
class RetriedSave extends Save {}
type LoadEvent = { type: 'load'; n: number; shard: string };
type OtherEvent = { type: 'other'; n: number };
type AnyEvent = Save | LoadEvent | OtherEvent;

const BUCKETS = [0, 5, 10, 25];

function metrics() {
  return [
    counter({ name: 'saves', on: Save, attributes: (e) => ({ outcome: e.outcome }) }),
    counter({ name: 'save.bytes', on: Save, value: (e) => e.n }),
    upDownCounter({ name: 'balance', on: 'load', value: (e: LoadEvent) => e.n }),
    gauge({
      name: 'last.multiple.of.three',
      on: (e: { n: number; type?: string }) => e.n % 3 === 0,
      attributes: (e: { n: number; type?: string }) => ({ kind: e.type ?? 'save' }),
      value: (e: { n: number; type?: string }) => e.n,
    }),
    histogram({
      name: 'sizes',
      on: Save,
      buckets: BUCKETS,
      attributes: (e) => ({ outcome: e.outcome }),
      value: (e) => Math.abs(e.n),
    }),
  ];
}

// ---- reference model: written independently, as plainly as possible ----

type RefPoint = Record<string, unknown> & { attributes: Record<string, string | boolean> };

function reference(events: readonly AnyEvent[]): MetricSnapshot[] {
  const saves = new Map<string, number>();
  let bytes = 0;
  let bytesDropped = 0;
  let balance = 0;
  const last = new Map<string, number>();
  const sizes = new Map<string, { values: number[] }>();
  for (const e of events) {
    if (e instanceof Save) {
      saves.set(e.outcome, (saves.get(e.outcome) ?? 0) + 1);
      if (e.n >= 0) bytes += e.n;
      else bytesDropped++;
      const h = sizes.get(e.outcome) ?? { values: [] };
      h.values.push(Math.abs(e.n));
      sizes.set(e.outcome, h);
    } else if (e.type === 'load') {
      balance += e.n;
    }
    if (e.n % 3 === 0) last.set(e instanceof Save ? 'save' : e.type, e.n);
  }
  const numberPoints = (m: Map<string, number>, key: string): RefPoint[] =>
    [...m].map(([k, value]) => ({ attributes: { [key]: k }, value }));
  const histogramPoints: RefPoint[] = [...sizes].map(([outcome, { values }]) => {
    const bucketCounts = new Array(BUCKETS.length + 1).fill(0);
    for (const v of values) {
      let i = 0;
      while (i < BUCKETS.length && v > (BUCKETS[i] as number)) i++;
      bucketCounts[i]++;
    }
    return {
      attributes: { outcome },
      count: values.length,
      sum: values.reduce((a, b) => a + b, 0),
      min: Math.min(...values),
      max: Math.max(...values),
      boundaries: BUCKETS,
      bucketCounts,
    };
  });
  return [
    { name: 'saves', kind: 'counter', points: numberPoints(saves, 'outcome'), dropped: 0 },
    {
      name: 'save.bytes',
      kind: 'counter',
      points: [{ attributes: {}, value: bytes }],
      dropped: bytesDropped,
    },
    {
      name: 'balance',
      kind: 'upDownCounter',
      points: [{ attributes: {}, value: balance }],
      dropped: 0,
    },
    {
      name: 'last.multiple.of.three',
      kind: 'gauge',
      points: numberPoints(last, 'kind'),
      dropped: 0,
    },
    { name: 'sizes', kind: 'histogram', points: histogramPoints, dropped: 0 },
  ] as MetricSnapshot[];
}

/** Point order is not part of the contract: compare points sorted by their attributes. */
function canonical(snapshots: MetricSnapshot[]) {
  return snapshots.map((s) => ({
    ...s,
    points: [...s.points].sort((a, b) =>
      JSON.stringify(a.attributes) < JSON.stringify(b.attributes) ? -1 : 1,
    ),
  }));
}

// ---- generators ----

const eventArb: fc.Arbitrary<AnyEvent> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom<'ok' | 'err'>('ok', 'err'),
      fc.integer({ min: -5, max: 40 }),
      fc.boolean(),
    )
    .map(([outcome, n, retried]) => (retried ? new RetriedSave(outcome, n) : new Save(outcome, n))),
  fc
    .tuple(fc.integer({ min: -20, max: 20 }), fc.constantFrom('a', 'b'))
    .map(([n, shard]): LoadEvent => ({ type: 'load', n, shard })),
  fc.integer({ min: -9, max: 9 }).map((n): OtherEvent => ({ type: 'other', n })),
);

type Action =
  | { op: 'register'; event: AnyEvent }
  | { op: 'burst'; events: AnyEvent[] }
  | { op: 'bad'; value: unknown }
  | { op: 'tick' }
  | { op: 'flush' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: eventArb.map((event): Action => ({ op: 'register', event })) },
  {
    weight: 1,
    arbitrary: fc
      .array(eventArb, { minLength: 100, maxLength: 400 })
      .map((events): Action => ({ op: 'burst', events })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<unknown>(null, undefined, 42, 'str')
      .map((value): Action => ({ op: 'bad', value })),
  },
  { weight: 2, arbitrary: fc.constant<Action>({ op: 'tick' }) },
  { weight: 2, arbitrary: fc.constant<Action>({ op: 'flush' }) },
);

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function expectInvariant(stats: RecorderStats): void {
  expect(stats.registered).toBe(stats.processed + stats.dropped + stats.pending);
  expect(stats.accepted + stats.ignored).toBe(stats.processed);
}

describe('snapshots are a fold of the processed events (property)', () => {
  it.each(['immediate', 'sync'] as const)(
    'holds for any events and any interleaving of registerEvent, turns and flush (%s scheduler)',
    async (scheduler) => {
      await fc.assert(
        fc.asyncProperty(fc.array(actionArb, { maxLength: 40 }), async (actions) => {
          // A clock that advances on every read makes the time budget run out mid-burst, so a
          // flush or turn may observe a partially processed buffer.
          let now = 0;
          const recorder = new MetricsRecorder('prop', {
            metrics: metrics(),
            scheduler,
            clock: () => (now += 1),
            onError: () => {},
          });
          recorder.start();
          const registered: AnyEvent[] = [];
          let rejected = 0;
          const check = () => {
            const stats = recorder.stats();
            expectInvariant(stats);
            expect(stats.dropped).toBe(0);
            expect(stats.registered).toBe(registered.length);
            expect(stats.rejected).toBe(rejected);
            if (scheduler === 'sync') expect(stats.processed).toBe(registered.length);
            expect(canonical(recorder.getMetricSnapshots())).toEqual(
              canonical(reference(registered.slice(0, stats.processed))),
            );
          };
          for (const action of actions) {
            switch (action.op) {
              case 'register':
                recorder.registerEvent(action.event);
                registered.push(action.event);
                break;
              case 'burst':
                for (const event of action.events) recorder.registerEvent(event);
                registered.push(...action.events);
                break;
              case 'bad':
                recorder.registerEvent(action.value as object);
                rejected++;
                break;
              case 'tick':
                await turn();
                break;
              case 'flush': {
                const before = registered.length;
                await recorder.flush();
                expect(recorder.stats().processed).toBeGreaterThanOrEqual(before);
                break;
              }
            }
            check();
          }
          await recorder.flush();
          expect(recorder.stats().processed).toBe(registered.length);
          check();
        }),
        { numRuns: 120 },
      );
    },
  );
});
