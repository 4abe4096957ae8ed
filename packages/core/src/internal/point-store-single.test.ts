import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { Attributes } from '../snapshots/types.js';
import { PointStore } from './point-store.js';

// getSingle(name, value): the point of `{ [name]: value }` without that object, for the metrics
// whose attribute function is `(e) => ({ name: e.property })`. It must give exactly what `get`
// gives for the object, and answer a set the memo knows without making the object: each case it
// cannot answer falls back to `get({ [name]: value })`, which gives the same point, so only
// whether `get` was asked tells the fast answer from the fallback.

type Point = { attributes: Attributes; id: number };

function store(limit = 100) {
  let next = 0;
  return new PointStore<Point>(
    (a) => ({ attributes: a, id: next++ }),
    limit,
    true,
    () => {},
  );
}

/** The calls `s.get` got while `lookups` ran (getSingle's fallbacks). */
function fallbacksOf(s: PointStore<Point>, lookups: () => void): unknown[] {
  const spy = vi.spyOn(s, 'get');
  try {
    lookups();
    return spy.mock.calls.map((call) => call[0]);
  } finally {
    spy.mockRestore();
  }
}

describe('PointStore.getSingle', () => {
  it('answers every set the memo knows without asking get: both slots, the map, a node, the empty set', () => {
    const s = store();
    // Three values: two in the first step's inline slots, the third in its map only.
    const [a, b, c] = ['a', 'b', 'c'].map((v) => s.get({ outcome: v }));
    const none = s.get({});
    const zero = s.get({ outcome: 0 });
    const yes = s.get({ outcome: true });
    // A longer set through outcome=a: that step becomes a node keeping a's point.
    const longer = s.get({ outcome: 'a', zz: 1 });
    expect(new Set([a, b, c, none, zero, yes, longer]).size).toBe(7);
    const fallbacks = fallbacksOf(s, () => {
      for (let i = 0; i < 3; i++) {
        expect(s.getSingle('outcome', 'a')).toBe(a);
        expect(s.getSingle('outcome', 'b')).toBe(b);
        expect(s.getSingle('outcome', 'c')).toBe(c);
        expect(s.getSingle('outcome', undefined)).toBe(none);
        expect(s.getSingle('outcome', null)).toBe(none);
        expect(s.getSingle('outcome', 0)).toBe(zero);
        expect(s.getSingle('outcome', -0)).toBe(zero);
        expect(s.getSingle('outcome', true)).toBe(yes);
      }
    });
    expect(fallbacks).toEqual([]);
  });

  it('falls back to get with the object for what the memo does not know', () => {
    const s = store();
    const a = s.get({ outcome: 'a' });
    const obj = { toJSON: () => 'j' };
    const got: Point[] = [];
    const fallbacks = fallbacksOf(s, () => {
      // A new value, a value the memo never holds (an object), another name, the empty set unseen.
      got.push(s.getSingle('outcome', 'new'));
      got.push(s.getSingle('outcome', obj));
      got.push(s.getSingle('other', 'a'));
      got.push(s.getSingle('outcome', undefined));
    });
    expect(fallbacks).toEqual([
      { outcome: 'new' },
      { outcome: obj },
      { other: 'a' },
      { outcome: undefined },
    ]);
    expect(got.map((p) => p.attributes)).toEqual([
      { outcome: 'new' },
      { outcome: '"j"' },
      { other: 'a' },
      {},
    ]);
    expect(new Set([a, ...got]).size).toBe(5);
    // Each is the point get gives for its object, and the new value is now a memo answer.
    expect(s.get({ outcome: obj })).toBe(got[1]);
    expect(fallbacksOf(s, () => expect(s.getSingle('outcome', 'new')).toBe(got[0]))).toEqual([]);
  });

  it('a node reached through a value whose set itself is unknown falls back (no point yet)', () => {
    const s = store();
    const longer = s.get({ outcome: 'a', zz: 1 });
    const calls = fallbacksOf(s, () => {
      const single = s.getSingle('outcome', 'a');
      expect(single).not.toBe(longer);
      expect(single.attributes).toEqual({ outcome: 'a' });
    });
    expect(calls).toEqual([{ outcome: 'a' }]);
  });

  it('gives the point get gives for { [name]: value }, whatever the sets seen before (property)', () => {
    const values = fc.oneof(
      fc.constantFrom(undefined, null, 'a', 'b', 'c', 0, -0, 1, true, Number.NaN, 'x'.repeat(1100)),
      fc.string({ maxLength: 3 }),
      fc.constantFrom({ k: 1 }, [1]),
    );
    const names = fc.constantFrom('outcome', 'zz', 'a', 'constructor', '__proto__', 'x y');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(names, values, fc.option(fc.tuple(names, values))), { maxLength: 30 }),
        fc.integer({ min: 2, max: 8 }),
        (steps, limit) => {
          const single = store(limit);
          const object = store(limit);
          for (const [name, value, second] of steps) {
            // Sets of two keys pass by too (the memo's steps become nodes), through get on both.
            if (second !== null && second[0] !== name) {
              const set = { [name]: value, [second[0]]: second[1] };
              expect(single.get(set).id).toBe(object.get(set).id);
              continue;
            }
            expect(single.getSingle(name, value).id).toBe(object.get({ [name]: value }).id);
          }
          expect(single.points()).toEqual(object.points());
        },
      ),
      { numRuns: 300 },
    );
  });
});
