import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attributes } from '../snapshots/types.js';
import { attributeKey, normalizeAttributes } from './attributes.js';
import { PointStore } from './point-store.js';

// The store's hot-path memo must return exactly the point the exact path would: whatever shape
// the attributes come in (Map, inherited keys, unsorted or unclean names, objects as values).

type Point = { attributes: Attributes; id: number };

function store(limit = 100) {
  let next = 0;
  const s = new PointStore<Point>(
    (attributes) => ({ attributes, id: next++ }),
    limit,
    true,
    () => {},
  );
  return s;
}

const key = fc.constantFrom('a', 'b', 'c', 'a b', 'a_b', 'B', 'toString', '__proto__');
const value = fc.oneof(
  fc.constantFrom('x', 'y', 1, 2, true, false, '1', null, undefined),
  fc.constant({ toString: () => 'x' }),
);

describe('PointStore memo', () => {
  it('returns, for any sequence of attribute objects, the point a fresh store gives for the same set', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(key, value, { maxKeys: 4 }), { minLength: 1, maxLength: 25 }),
        (sets) => {
          const memoised = store();
          const ids = new Map<Point, number>();
          for (const raw of sets) {
            // twice in a row: the second lookup may come from the memo
            const first = memoised.get(raw);
            const second = memoised.get({ ...raw });
            expect(second).toBe(first);
            // the same attributes as a fresh store would make them
            const fresh = store().get(raw);
            expect(first.attributes).toEqual(fresh.attributes);
            ids.set(first, first.id);
          }
          // distinct attribute sets never share a point, equal ones always do
          const byAttributes = new Map<string, Point>();
          for (const point of ids.keys()) {
            const text = JSON.stringify(Object.entries(point.attributes).sort());
            const seen = byAttributes.get(text);
            if (seen !== undefined) expect(point).toBe(seen);
            byAttributes.set(text, point);
          }
        },
      ),
    );
  });

  it('keeps one point per normalised set, whichever form a set comes in first (property)', () => {
    // Sets the memo holds are kept there only (no key), the others by key: a set must be found
    // again from any form of it — a Map, another key order, unclean text that cleans to the same,
    // -0 for 0 — and two sets must never share a point.
    const name = fc.constantFrom(
      'a',
      'b',
      '1',
      '10',
      '9',
      'x\ud800',
      'x\ufffd',
      '__proto__',
      'toString',
    );
    const val = fc.constantFrom<unknown>(
      'v',
      'v\ud800',
      'v\ufffd',
      0,
      -0,
      1,
      Number.NaN,
      true,
      'true',
      '1',
      1n,
      null,
      undefined,
      { toString: () => 'o' },
    );
    const entries = fc.uniqueArray(fc.tuple(name, val), { selector: (e) => e[0], maxLength: 4 });
    const form = fc.constantFrom('object', 'reversed', 'map');
    const objectOf = (list: readonly (readonly [string, unknown])[]) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of list) {
        Object.defineProperty(out, k, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(entries, form), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 2, max: 12 }),
        (list, limit) => {
          const s = store(limit);
          const byIdentity = new Map<string, Point>();
          const firstSeen: Point[] = [];
          let overflow: Point | undefined;
          for (const [set, f] of list) {
            const raw =
              f === 'map' ? new Map(set) : objectOf(f === 'reversed' ? [...set].reverse() : set);
            // A Map goes through the same door at run time (what `attributes()` may return).
            const point = s.get(raw as Readonly<Record<string, unknown>>);
            const identity = attributeKey(raw);
            const known = byIdentity.get(identity);
            if (known !== undefined) {
              expect(point).toBe(known);
              continue;
            }
            if (firstSeen.length < limit - 1) {
              expect(firstSeen).not.toContain(point);
              expect(point.attributes).toEqual(normalizeAttributes(raw));
              firstSeen.push(point);
              byIdentity.set(identity, point);
            } else {
              // a new set past the limit: the one overflow point, never remembered as that set
              expect(point.attributes).toEqual({ 'otel.metric.overflow': true });
              overflow ??= point;
              expect(point).toBe(overflow);
            }
          }
          const live: Point[] = [];
          s.forEachLive((point, index) => {
            expect(index).toBe(live.length);
            live.push(point);
          });
          expect(live).toEqual(overflow === undefined ? firstSeen : [...firstSeen, overflow]);
          expect(s.points()).toEqual(live);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives both lookups their own point when a getter looks up another set meanwhile (property)', () => {
    // A getter on the attributes may register an event that a sync recorder processes through the
    // same metric before the outer lookup ends: the nested lookup must not disturb the values the
    // outer one has read so far (before or after the memo stopped matching), nor the reverse.
    const set = fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('x', 'y', 1), {
      maxKeys: 3,
    });
    fc.assert(
      fc.property(
        fc.array(set, { maxLength: 6 }),
        set,
        set,
        fc.nat(3),
        (known, outer, inner, at) => {
          const s = store();
          for (const raw of known) s.get(raw);
          const names = Object.keys(outer);
          let nested: Point | undefined;
          const raw: Record<string, unknown> = {};
          names.forEach((name, i) => {
            Object.defineProperty(raw, name, {
              enumerable: true,
              get: () => {
                if (i === Math.min(at, names.length - 1)) nested = s.get({ ...inner });
                return outer[name];
              },
            });
          });
          const point = s.get(raw);
          expect(point.attributes).toEqual(normalizeAttributes(outer));
          expect(s.get({ ...outer })).toBe(point);
          if (names.length > 0) {
            expect(nested?.attributes).toEqual(normalizeAttributes(inner));
            expect(s.get({ ...inner })).toBe(nested);
          }
        },
      ),
    );
  });

  it('ignores inherited keys, on the memo path too', () => {
    const s = store();
    const own = s.get({ a: 'x', b: 'y' });
    const inherited = Object.create({ b: 'y' }) as Record<string, unknown>;
    inherited.a = 'x';
    const viaPrototype = s.get(inherited);
    expect(viaPrototype).not.toBe(own);
    expect(viaPrototype.attributes).toEqual({ a: 'x' });
    expect(s.get(inherited)).toBe(viaPrototype);
    expect(s.get({ a: 'x', b: 'y' })).toBe(own);
  });

  it('takes a Map as attributes, the same point as the equal object', () => {
    const s = store();
    const fromMap = s.get(
      new Map<string, unknown>([
        ['b', 'y'],
        ['a', 'x'],
      ]) as never,
    );
    expect(fromMap.attributes).toEqual({ a: 'x', b: 'y' });
    expect(s.get({ a: 'x', b: 'y' })).toBe(fromMap);
  });

  it('sends new sets to the overflow point once full, and never memoises that', () => {
    const s = store(3);
    const a = s.get({ k: 'a' });
    const b = s.get({ k: 'b' });
    const c = s.get({ k: 'c' });
    expect(c.attributes).toEqual({ 'otel.metric.overflow': true });
    expect(s.get({ k: 'd' })).toBe(c);
    expect(s.get({ k: 'a' })).toBe(a);
    expect(s.get({ k: 'b' })).toBe(b);
    expect(s.points()).toEqual([a, b, c]);
  });
});
