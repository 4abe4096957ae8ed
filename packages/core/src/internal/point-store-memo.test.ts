import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attributes } from '../snapshots/types.js';
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
