import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attributes, AttributeValue } from '../snapshots/types.js';
import { PointStore } from './point-store.js';

interface Point {
  attributes: Attributes;
  hits: number;
}

/** The normalisation of a set of plain primitives, written out independently of the code. */
function model(raw: Record<string, unknown>): Attributes {
  const out: Attributes = {};
  for (const key of Object.keys(raw).sort()) {
    const value = raw[key];
    // Strings, numbers and booleans keep their type (no other value is generated here).
    if (value !== undefined && value !== null) out[key] = value as AttributeValue;
  }
  return out;
}

// Few keys and values, so sets share prefixes of the memo's path, extend known sets, stop short
// of them and diverge after a matched prefix; keys sometimes in sorted order (memoised), sometimes not.
const key = fc.constantFrom('a', 'b', 'c', 'd');
const value = fc.constantFrom<unknown>('1', 1, 'x', true, 'true', undefined, null, 2.5);
const rawSet = fc
  .uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 4 })
  .chain((entries) =>
    fc
      .boolean()
      .map((sorted) =>
        Object.fromEntries(sorted ? [...entries].sort(([x], [y]) => (x < y ? -1 : 1)) : entries),
      ),
  );

describe('PointStore', () => {
  it('gives every attribute set the point of its normalisation, memo or not (prefixes, extensions, divergence)', () => {
    fc.assert(
      fc.property(
        fc.array(rawSet, { maxLength: 60 }),
        fc.integer({ min: 2, max: 40 }),
        (sets, limit) => {
          const store = new PointStore<Point>(
            (attributes) => ({ attributes, hits: 0 }),
            limit,
            true,
            () => {},
          );
          const byIdentity = new Map<string, Point>();
          for (const raw of sets) {
            const point = store.get(raw);
            point.hits++;
            const expected = model(raw);
            const identity = JSON.stringify(expected);
            if ((point.attributes as Record<string, unknown>)['otel.metric.overflow'] === true) {
              // Beyond the limit only sets never seen before overflow.
              expect(byIdentity.has(identity)).toBe(false);
              continue;
            }
            expect(point.attributes).toEqual(expected);
            expect(Object.keys(point.attributes)).toEqual(Object.keys(expected));
            const known = byIdentity.get(identity);
            if (known !== undefined) expect(point).toBe(known);
            byIdentity.set(identity, point);
          }
          expect(store.points().reduce((n, p) => n + p.hits, 0)).toBe(sets.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
