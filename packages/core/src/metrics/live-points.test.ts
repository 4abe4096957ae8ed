// LIVE_POINTS, the seam a bridge reads a built-in metric through at collection instead of a
// snapshot: it visits exactly the points the snapshot would hold (same values, same order,
// overflow last), numbered from 0, and refuses (false, nothing visited) for a subclass whose own
// snapshot() is the truth. And the mark a built-in snapshot carries for the bridge.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIVE_POINTS } from '../internal/attributes.js';
import { counterKind } from '../kinds/index.js';
import { BuiltInMetric } from './built-in-metric.js';
import { counter } from './number-metrics.js';

type Live = { [LIVE_POINTS](visit: (point: unknown, index: number) => void): boolean };

function live(metric: unknown): { answer: boolean; points: unknown[]; indexes: number[] } {
  const points: unknown[] = [];
  const indexes: number[] = [];
  const answer = (metric as Live)[LIVE_POINTS]((point, index) => {
    points.push(structuredClone(point));
    indexes.push(index);
  });
  return { answer, points, indexes };
}

describe('BuiltInMetric [LIVE_POINTS]', () => {
  it('visits the points of the snapshot, in its order, numbered from 0 (property, with overflow)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ route: fc.constantFrom('a', 'b', 'c', 'd'), n: fc.nat(5) }), {
          maxLength: 30,
        }),
        fc.boolean(),
        (events, withAttributes) => {
          const metric = counter({
            name: 'hits',
            on: 'hit',
            ...(withAttributes
              ? { attributes: (e: { route: string }) => ({ route: e.route }), cardinalityLimit: 3 }
              : {}),
            value: (e: { n: number }) => e.n,
          } as never);
          for (const event of events) metric.handleEvent({ type: 'hit', ...event });
          const seen = live(metric);
          const snapshot = metric.snapshot();
          expect(seen.answer).toBe(true);
          expect(seen.points).toEqual(snapshot.points);
          expect(seen.indexes).toEqual(snapshot.points.map((_, index) => index));
        },
      ),
    );
  });

  it('answers false and visits nothing when a subclass overrides snapshot()', () => {
    class OwnSnapshot extends BuiltInMetric<'counter'> {
      override snapshot() {
        return super.snapshot();
      }
    }
    const own = new OwnSnapshot(counterKind, { name: 'hits', on: 'hit' });
    own.handleEvent({ type: 'hit' });
    expect(own.snapshot().points).toHaveLength(1);
    const seen = live(own);
    expect(seen).toEqual({ answer: false, points: [], indexes: [] });
  });

  it("a built-in snapshot carries the registry mark a bridge trusts as 'normalised already', not enumerable", () => {
    const metric = counter({ name: 'hits', on: 'hit' });
    metric.handleEvent({ type: 'hit' });
    const snapshot = metric.snapshot();
    const mark = Symbol.for('@mvx-metrics/core.normalized-snapshot');
    expect(Object.getOwnPropertyDescriptor(snapshot, mark)).toMatchObject({
      value: true,
      enumerable: false,
    });
    expect(Object.keys(snapshot)).not.toContain(mark);
    expect({ ...snapshot }).toEqual(JSON.parse(JSON.stringify(snapshot)));
  });
});
