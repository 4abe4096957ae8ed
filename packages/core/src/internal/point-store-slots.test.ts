import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attributes } from '../snapshots/types.js';
import { PointStore } from './point-store.js';

// The memo answers a known set without the exact path (normalising the set, building its key):
// that is all it is for, and the exact path would give the same point, so only the store's count
// of exact lookups tells whether a lookup was a memo hit. The memo's first two values per step sit in
// inline slots beside its map (internal/point-store.ts, `link`): a slot that still named a leaf
// after the step became a node would send the longer set down the exact path on every event.

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

/** Exact-path lookups `s` made during `lookups`. */
function exactPathsOf(s: PointStore<Point>, lookups: () => void): number {
  const before = s.exactLookupCount;
  lookups();
  return s.exactLookupCount - before;
}

describe('PointStore memo slots', () => {
  it('finds a longer set by the memo once the step its first value led to became a node', () => {
    const s = store();
    const short = s.get({ a: 'x' }); // a leaf under a=x, in the first slot
    const long = s.get({ a: 'x', b: 'y' }); // a=x becomes a node: the slot must follow
    const other = s.get({ a: 'w', b: 'y' }); // the second slot, then a node too
    expect(new Set([short, long, other]).size).toBe(3);
    const exact = exactPathsOf(s, () => {
      for (let i = 0; i < 50; i++) {
        expect(s.get({ a: 'x', b: 'y' })).toBe(long);
        expect(s.get({ a: 'x' })).toBe(short);
        expect(s.get({ a: 'w', b: 'y' })).toBe(other);
      }
    });
    expect(exact).toBe(0);
    // A set never seen takes the exact path (once: then the memo knows it).
    expect(exactPathsOf(s, () => s.get({ a: 'v', b: 'y' }))).toBe(1);
    expect(exactPathsOf(s, () => s.get({ a: 'v', b: 'y' }))).toBe(0);
  });

  it('answers the first two values of a step from its slots, and only a third one from its map', () => {
    const s = store();
    const [a, b, c] = ['a', 'b', 'c'].map((k) => s.get({ k }));
    const aLong = s.get({ k: 'a', m: 'x' }); // the step a=a becomes a node: its slot follows
    const get = Map.prototype.get;
    let calls = 0;
    Map.prototype.get = function (this: Map<unknown, unknown>, key: unknown) {
      calls++;
      return get.call(this, key);
    };
    let fromSlots: number;
    try {
      expect(s.get({ k: 'a' })).toBe(a);
      expect(s.get({ k: 'b' })).toBe(b);
      expect(s.get({ k: 'a', m: 'x' })).toBe(aLong);
      fromSlots = calls;
      expect(s.get({ k: 'c' })).toBe(c);
    } finally {
      Map.prototype.get = get;
    }
    expect(fromSlots).toBe(0);
    expect(calls).toBe(1);
  });

  it('finds every known set of memo values without the exact path, beyond the two slots too (property)', () => {
    const value = fc.constantFrom<unknown>('x', 'y', 'z', 0, -0, 1, '1', true, 'true', Number.NaN);
    // An attributes function returns the same keys, in sorted order, every time (some of them
    // missing at times): the sets of a store here are prefixes of one sorted list of names.
    const names = fc.subarray(['a', 'b', 'c'], { minLength: 1 });
    const sets = names.chain((keys) =>
      fc.array(
        fc
          .tuple(
            fc.integer({ min: 1, max: keys.length }),
            fc.array(value, { minLength: 3, maxLength: 3 }),
          )
          .map(([length, values]) =>
            Object.fromEntries(keys.slice(0, length).map((key, i) => [key, values[i]])),
          ),
        { minLength: 1, maxLength: 20 },
      ),
    );
    fc.assert(
      fc.property(sets, (sets) => {
        const s = store();
        const first = sets.map((raw) => s.get(raw));
        // Every set is known now: asked again, in the same key order, each is a memo hit and the
        // same point as the first time.
        const again: Point[] = [];
        const exact = exactPathsOf(s, () => {
          for (const raw of sets) again.push(s.get({ ...raw }));
        });
        expect(again).toEqual(first);
        for (let i = 0; i < sets.length; i++) expect(again[i]).toBe(first[i]);
        expect(exact).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
