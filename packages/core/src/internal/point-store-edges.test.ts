import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { Attributes } from '../snapshots/types.js';
import { MAX_ATTRIBUTE_VALUE_LENGTH, normalizeAttributes } from './attributes.js';
import { PointStore } from './point-store.js';

// What the hot-path memo costs and holds, besides which point it answers (point-store-memo.test.ts):
// a set seen before is found without the miss path, the memo and the key map never both hold a
// set, and the memo's size is bounded however many raw forms of one set come in. No API exposes
// these, so the tests read the store's private state (`memoNodes`, `byKey`) and watch its private
// `missed` (the one way out of the hit path).

type WellFormed = { isWellFormed(): boolean };
type Point = { attributes: Attributes; id: number };

function store(limit = 1000, hasAttributes = true) {
  let next = 0;
  return new PointStore<Point>(
    (attributes) => ({ attributes, id: next++ }),
    limit,
    hasAttributes,
    () => {},
  );
}

interface Internals {
  memoNodes: number;
  byKey: Map<string, Point>;
  missed: (...args: unknown[]) => Point;
}

const internals = (s: PointStore<Point>) => s as unknown as Internals;

/** Counts the lookups of `s` that leave the memo's hit path. */
function watchMisses(s: PointStore<Point>) {
  return vi.spyOn(internals(s), 'missed');
}

/** One more lookup of `raw` (a fresh copy): whether it was a hit, and its point. */
function lookUp(s: PointStore<Point>, raw: Record<string, unknown>) {
  const misses = watchMisses(s);
  const point = s.get({ ...raw });
  const hit = misses.mock.calls.length === 0;
  misses.mockRestore();
  return { point, hit };
}

// Values the memo holds as they are (their normalised form is themselves, -0 aside).
const memoValue = fc.oneof(
  fc.constantFrom<unknown>('x', 'y', '1', 'true', '', 0, -0, 1, 2.5, Number.NaN, true, false),
  fc
    .string({ maxLength: 3 })
    .filter((s) => (s as unknown as WellFormed).isWellFormed() && !s.includes('\u0000')),
  fc.integer({ min: -3, max: 3 }),
);
const NAMES = ['a', 'b', 'c'];
// The first k names in sorted order (what an `attributes()` returning the same keys gives).
const prefixSet = fc
  .tuple(fc.nat(NAMES.length), fc.array(memoValue, { minLength: 3, maxLength: 3 }))
  .map(([k, values]) => Object.fromEntries(NAMES.slice(0, k).map((name, i) => [name, values[i]])));

// The memo's identity of a value: Map keys are compared by SameValueZero (-0 is 0, NaN is NaN).
const stepOf = (value: unknown) => `${typeof value}:${Object.is(value, -0) ? '0' : String(value)}`;

describe('PointStore memo: what it holds', () => {
  it('finds every set of clean, sorted names with string, number or boolean values again without a miss, and holds it nowhere else (property)', () => {
    fc.assert(
      fc.property(fc.array(prefixSet, { minLength: 1, maxLength: 30 }), (sets) => {
        const s = store();
        const prefixes = new Set<string>();
        for (const raw of sets) {
          const first = s.get(raw);
          expect(first.attributes).toEqual(normalizeAttributes(raw));
          const again = lookUp(s, raw);
          expect(again.hit).toBe(true);
          expect(again.point).toBe(first);
          const steps = Object.values(raw).map(stepOf);
          for (let i = 1; i <= steps.length; i++) prefixes.add(steps.slice(0, i).join('|'));
        }
        // every set is in the memo and none has a key; one memo step per distinct prefix
        expect(internals(s).byKey.size).toBe(0);
        expect(internals(s).memoNodes).toBe(prefixes.size);
        for (const raw of sets) expect(lookUp(s, raw).hit).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['an undefined value at the end', { a: 'x', b: undefined }],
    ['a null value at the end', { a: 'x', b: null }],
    ['an undefined value in the middle', { a: 'x', b: undefined, c: 1 }],
    ['a null value in the middle', { a: 'x', b: null, c: true }],
    ['only undefined and null values', { a: undefined, b: null }],
    // raw values the normalised path does not hold: only the raw form's own step finds them
    ['a raw-only value and an undefined one at the end', { a: 'v\ud800', b: undefined }],
    ['a raw-only value and a null one at the end', { a: 'v\ud800', b: null }],
    ['a raw-only value and an undefined one in the middle', { a: 'v\ud800', b: undefined, c: 1 }],
    ['a raw-only value and a null one in the middle', { a: 'v\ud800', b: null, c: true }],
  ])('finds a set with %s again without a miss (keys without a value are no step)', (_, raw) => {
    const s = store();
    const first = s.get(raw);
    expect(first.attributes).toEqual(normalizeAttributes(raw));
    const again = lookUp(s, raw);
    expect(again.point).toBe(first);
    expect(again.hit).toBe(true);
    expect(internals(s).byKey.size).toBe(0);
  });

  it('finds a raw form that normalises to another text (a lone surrogate, a NUL) without a miss the second time', () => {
    const s = store();
    for (const value of ['v\ud800', 'v\u0000']) {
      const first = s.get({ a: value });
      expect(first.attributes).toEqual(normalizeAttributes({ a: value }));
      // the normalised form and the raw one are both remembered (two steps, one point)
      expect(s.get({ a: first.attributes.a })).toBe(first);
      const again = lookUp(s, { a: value });
      expect(again.point).toBe(first);
      expect(again.hit).toBe(true);
    }
    expect(internals(s).byKey.size).toBe(0);
    // an over-long string is cut for the point and not kept whole: found by a miss, every time
    const long = 'w'.repeat(2000);
    const cut = s.get({ a: long });
    expect(cut.attributes).toEqual({ a: 'w'.repeat(MAX_ATTRIBUTE_VALUE_LENGTH) });
    expect(lookUp(s, { a: long })).toEqual({ point: cut, hit: false });
  });

  it('reads an object value again at every lookup: a changed object gives its new point, never the memo of its old text', () => {
    const s = store();
    const mutable = { v: 1 };
    const before = s.get({ a: mutable, b: 'x' });
    expect(before.attributes).toEqual({ a: '{"v":1}', b: 'x' });
    mutable.v = 2;
    const after = s.get({ a: mutable, b: 'x' });
    expect(after.attributes).toEqual({ a: '{"v":2}', b: 'x' });
    expect(after).not.toBe(before);
    // alone, and after a memoised step
    let text = 'one';
    const shifting = { toJSON: () => text };
    const first = s.get({ a: 'x', z: shifting });
    text = 'two';
    const second = s.get({ a: 'x', z: shifting });
    expect(first.attributes).toEqual({ a: 'x', z: '"one"' });
    expect(second.attributes).toEqual({ a: 'x', z: '"two"' });
  });

  it('never keeps an object value in the memo: fresh objects per event neither grow it nor stay alive in it', () => {
    const s = store();
    const point = s.get({ a: 'x', b: {} });
    const nodes = internals(s).memoNodes;
    expect(nodes).toBe(2);
    for (let i = 0; i < 50; i++) {
      expect(s.get({ a: 'x', b: {} })).toBe(point);
      expect(s.get({ b: [], a: 'x' }).attributes).toEqual({ a: 'x', b: '[]' });
    }
    expect(internals(s).memoNodes).toBe(nodes + 1);
  });

  it('gives each lookup the point of what the object value says at that moment (property: toJSON changing between calls)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 12 }),
        (texts) => {
          const s = store();
          let current = '';
          const value = { toJSON: () => current };
          for (const text of texts) {
            current = text;
            const point = s.get({ a: value });
            expect(point.attributes).toEqual(normalizeAttributes({ a: { toJSON: () => text } }));
            expect(s.get({ a: JSON.stringify(text) })).toBe(point);
          }
        },
      ),
    );
  });

  it('does not remember sets that went to the overflow point (a new set must still overflow, and costs no memo)', () => {
    const s = store(3);
    s.get({ k: 'a' });
    s.get({ k: 'b' });
    const nodes = internals(s).memoNodes;
    const overflow = s.get({ k: 'c' });
    expect(overflow.attributes).toEqual({ 'otel.metric.overflow': true });
    for (const k of ['c', 'd', 'e', 'c']) {
      const again = lookUp(s, { k });
      expect(again.point).toBe(overflow);
      expect(again.hit).toBe(false);
    }
    expect(internals(s).memoNodes).toBe(nodes);
    expect(internals(s).byKey.size).toBe(0);
  });

  it('takes a primitive that attributes() returned as no attributes (a string is not read as its characters)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ minLength: 1 }),
          fc.double(),
          fc.boolean(),
          fc.bigInt(),
          fc.constantFrom(undefined, null),
        ),
        (raw) => {
          const s = store();
          const none = s.get(undefined);
          expect(none.attributes).toEqual({});
          expect(s.get(raw as never)).toBe(none);
          expect(s.points()).toEqual([none]);
        },
      ),
    );
  });
});

describe('PointStore memo: its bound', () => {
  // Every lone high surrogate after `v`: 1 024 raw strings, one normalised value ('v\uFFFD').
  const rawForms = Array.from({ length: 1024 }, (_, i) => `v${String.fromCharCode(0xd800 + i)}`);

  it('stops growing at limit × 8 steps however many raw forms of one set come in, and still finds the set', () => {
    for (const limit of [2, 5]) {
      const s = store(limit);
      const point = s.get({ a: 'v\ufffd' });
      for (const value of rawForms) expect(s.get({ a: value })).toBe(point);
      // one step per raw form until the bound, exactly: a step is counted once
      expect(internals(s).memoNodes).toBe(limit * 8);
      // the forms remembered before the bound are hits, the later ones are not
      expect(lookUp(s, { a: rawForms[0] }).hit).toBe(true);
      expect(lookUp(s, { a: rawForms[1000] }).hit).toBe(false);
      expect(lookUp(s, { a: rawForms[1000] }).point).toBe(point);
    }
  });

  it('keeps a new set by key once the memo is full: found again, never a second point nor the overflow point', () => {
    const s = store(3);
    const full = s.get({ a: 'v\ufffd' });
    for (const value of rawForms) s.get({ a: value });
    expect(internals(s).memoNodes).toBe(24);
    const late = s.get({ a: 'late' });
    expect(late.attributes).toEqual({ a: 'late' });
    expect(internals(s).byKey.size).toBe(1);
    expect(s.get({ a: 'late' })).toBe(late);
    expect(s.get(new Map([['a', 'late']]) as never)).toBe(late);
    expect(s.points()).toEqual([full, late]);
  });

  it('counts a step once: a leaf that becomes a node on the way to a longer set is no new step', () => {
    const s = store();
    s.get({ a: 'x' });
    expect(internals(s).memoNodes).toBe(1);
    s.get({ a: 'x' });
    s.get(new Map([['a', 'x']]) as never);
    expect(internals(s).memoNodes).toBe(1);
    s.get({ a: 'x', b: 'y' });
    expect(internals(s).memoNodes).toBe(2);
    s.get({ a: 'x', b: 'z' });
    s.get({ a: 'w', b: 'y' });
    expect(internals(s).memoNodes).toBe(5);
  });
});

describe('PointStore without attributes', () => {
  it('visits its one point at index 0, whatever is looked up', () => {
    const s = store(10, false);
    const only = s.get({ a: 'x' });
    expect(s.get(undefined)).toBe(only);
    const seen: [Point, number][] = [];
    s.forEachLive((point, index) => seen.push([point, index]));
    expect(seen).toEqual([[only, 0]]);
  });
});

describe('PointStore memo: what it keeps alive', () => {
  interface Node {
    name: string | undefined;
    values: Map<unknown, unknown> | undefined;
  }
  /** Every string the memo holds: its step names and its string values. */
  function memoStrings(s: PointStore<Point>): string[] {
    const out: string[] = [];
    const visit = (node: Node) => {
      if (node.name !== undefined) out.push(node.name);
      for (const [value, next] of node.values ?? []) {
        if (typeof value === 'string') out.push(value);
        if (next !== null && typeof next === 'object' && 'depth' in next)
          visit(next as unknown as Node);
      }
    };
    visit((s as unknown as { memo: Node }).memo);
    return out;
  }

  it('holds no string longer than an attribute can be: over-long raw values and names are cut for the point and never kept whole (property)', () => {
    const long = (c: string) => fc.integer({ min: 1025, max: 3000 }).map((n) => c.repeat(n));
    const name = fc.oneof(fc.constantFrom('a', 'b', 'c'), long('n'));
    const value = fc.oneof(
      fc.constantFrom<unknown>('x', 1, true, 'v\ud800'),
      long('w'),
      long('w').map((w) => `${w}tail`),
    );
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(fc.tuple(name, value), { selector: (e) => e[0], maxLength: 3 }), {
          minLength: 1,
          maxLength: 12,
        }),
        (sets) => {
          const s = store();
          for (const set of sets) {
            const raw = Object.fromEntries(set);
            const point = s.get(raw);
            expect(point.attributes).toEqual(normalizeAttributes(raw));
            expect(s.get({ ...raw })).toBe(point);
          }
          for (const text of memoStrings(s)) {
            expect(text.length).toBeLessThanOrEqual(MAX_ATTRIBUTE_VALUE_LENGTH);
          }
        },
      ),
    );
  });

  it('never keeps an over-long name, not even behind a raw step the normalised path does not share', () => {
    const long = 'n'.repeat(MAX_ATTRIBUTE_VALUE_LENGTH + 10);
    for (const raw of [{ [long]: 1 }, { a: 'v\ud800', [long]: 'x' }, { a: 1, [long]: true }]) {
      // each in a fresh store: the first set decides which name the memo's first step expects
      const s = store();
      const point = s.get(raw);
      expect(point.attributes).toEqual(normalizeAttributes(raw));
      expect(s.get({ ...raw })).toBe(point);
      for (const text of memoStrings(s)) {
        expect(text.length).toBeLessThanOrEqual(MAX_ATTRIBUTE_VALUE_LENGTH);
      }
    }
  });

  it('keeps one series fed with ever new over-long values at its one memo step', () => {
    const s = store();
    const prefix = 'p'.repeat(MAX_ATTRIBUTE_VALUE_LENGTH);
    const point = s.get({ path: `${prefix}0` });
    for (let i = 1; i < 200; i++) expect(s.get({ path: `${prefix}${i}` })).toBe(point);
    expect(internals(s).memoNodes).toBe(1);
    expect(memoStrings(s)).toEqual(['path', prefix]);
  });
});
