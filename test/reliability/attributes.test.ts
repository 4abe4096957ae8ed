import { counter, type NumberPoint } from '@mvx-metrics/core';
import { createTestRecorder } from '@mvx-metrics/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

interface Tagged {
  attrs: unknown;
}

function recorderWithAttributes(cardinalityLimit?: number) {
  return createTestRecorder([
    counter<Tagged>({
      name: 'tagged',
      on: (e) => 'attrs' in e,
      attributes: (e) => e.attrs as Record<string, unknown>,
      ...(cardinalityLimit === undefined ? {} : { cardinalityLimit }),
    }),
  ]);
}

function points(recorder: ReturnType<typeof recorderWithAttributes>): NumberPoint[] {
  return recorder.getMetricSnapshots()[0]?.points as NumberPoint[];
}

// lib is ES2023; `isWellFormed` exists on Node >= 20.
const isWellFormed = (text: string): boolean =>
  (text as unknown as { isWellFormed(): boolean }).isWellFormed();

const anyUtf16Unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const nastyString = fc.oneof(
  fc.string({ unit: anyUtf16Unit, maxLength: 12 }),
  fc.constantFrom('"', '\\', '\n', '\u0000', '\uD800', '\uDFFF', 'a.b', 'a-b', '0a', '__x', ''),
  fc.string({ minLength: 1020, maxLength: 1100, unit: fc.constantFrom('k', '\uD800') }),
);
const nastyValue = fc.oneof(
  nastyString,
  fc.double(),
  fc.boolean(),
  fc.bigInt(),
  fc.constant(undefined),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), nastyString), { maxLength: 3 }),
  fc.dictionary(nastyString, fc.integer(), { maxKeys: 2 }),
);

describe('attribute values map deterministically (docs/instrumenting.md "Concepts" → attribute values)', () => {
  it('keeps strings with quotes, backslashes and newlines as they are', () => {
    const recorder = recorderWithAttributes();
    recorder.registerEvent({ attrs: { q: 'say "hi"', b: 'C:\\dir', n: 'one\ntwo' } });
    expect(points(recorder)[0]?.attributes).toEqual({ b: 'C:\\dir', n: 'one\ntwo', q: 'say "hi"' });
  });

  it('turns lone surrogates and NUL into U+FFFD and cuts values at 1024 UTF-16 units', () => {
    const recorder = recorderWithAttributes();
    recorder.registerEvent({ attrs: { s: 'a\uD800b', z: 'x\u0000y', long: 'v'.repeat(5000) } });
    expect(points(recorder)[0]?.attributes).toEqual({
      long: 'v'.repeat(1024),
      s: 'a\uFFFDb',
      z: 'x\uFFFDy',
    });
  });

  it('keeps numbers and booleans with their type, stringifies bigints, JSON-encodes objects and arrays, drops undefined and null', () => {
    const recorder = recorderWithAttributes();
    recorder.registerEvent({
      attrs: { n: 1.5, t: true, big: 12n, obj: { a: 1 }, arr: [1, 'x'], u: undefined, z: null },
    });
    expect(points(recorder)[0]?.attributes).toEqual({
      arr: '[1,"x"]',
      big: '12',
      n: 1.5,
      obj: '{"a":1}',
      t: true,
    });
  });

  it('maps values JSON cannot encode (cycles, bigints inside objects) to "[unserializable]"', () => {
    const recorder = recorderWithAttributes();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    recorder.registerEvent({ attrs: { c: cycle, b: { n: 1n } } });
    expect(points(recorder)[0]?.attributes).toEqual({
      b: '[unserializable]',
      c: '[unserializable]',
    });
    expect(recorder.stats().failed).toBe(0);
  });

  it('makes {a, b} and {b, a} one point, and 1 and "1" two (two types: two OTLP attribute sets)', () => {
    const recorder = recorderWithAttributes();
    recorder.registerEvent({ attrs: { k: 1, a: 'x', b: 'y' } });
    recorder.registerEvent({ attrs: { b: 'y', a: 'x', k: '1' } });
    recorder.registerEvent({ attrs: { b: 'y', k: 1, a: 'x' } });
    expect(points(recorder)).toEqual([
      { attributes: { a: 'x', b: 'y', k: 1 }, value: 2 },
      { attributes: { a: 'x', b: 'y', k: '1' }, value: 1 },
    ]);
  });

  // Regression: keys were cleaned for the point's attributes but not for its identity, so two
  // raw sets with equal normalised attributes became two points (two identical series).
  it('folds keys that normalise alike (lone surrogates, over-long keys) into one point', () => {
    const recorder = recorderWithAttributes();
    recorder.registerEvent({ attrs: { '\uD800': 'x' } });
    recorder.registerEvent({ attrs: { '\uD801': 'x' } });
    recorder.registerEvent({ attrs: { [`${'k'.repeat(1030)}a`]: 'x' } });
    recorder.registerEvent({ attrs: { [`${'k'.repeat(1030)}b`]: 'x' } });
    expect(points(recorder)).toEqual([
      { attributes: { '\uFFFD': 'x' }, value: 2 },
      { attributes: { ['k'.repeat(1024)]: 'x' }, value: 2 },
    ]);
  });

  // Regression: `attributes()` returning null threw inside the metric (a counted failure) and a
  // string return was spread into keys "0", "1", ...
  it('treats attributes() returning null, undefined or a primitive as no attributes', () => {
    const recorder = recorderWithAttributes();
    for (const attrs of [null, undefined, 'abc', 5, true]) recorder.registerEvent({ attrs });
    expect(points(recorder)).toEqual([{ attributes: {}, value: 5 }]);
    expect(recorder.stats()).toMatchObject({ accepted: 5, failed: 0 });
  });

  it('never produces two points with equal attributes, nor a key or value outside the mapping', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(nastyString, nastyValue, { maxKeys: 4 }), { maxLength: 25 }),
        (sets) => {
          const recorder = recorderWithAttributes();
          for (const attrs of sets) recorder.registerEvent({ attrs });
          const seen = new Set<string>();
          let total = 0;
          for (const point of points(recorder)) {
            // Typed: 1 and '1' (and NaN and Infinity, which JSON writes alike) are two identities.
            const identity = Object.entries(point.attributes)
              .sort()
              .map(([key, value]) => `${key}\u0000${typeof value}:${String(value)}`)
              .join('\u0000');
            expect(seen.has(identity)).toBe(false);
            seen.add(identity);
            total += point.value;
            for (const [key, value] of Object.entries(point.attributes)) {
              // Numbers and booleans keep their type (never -0); everything else is a clean string.
              if (typeof value === 'number') expect(Object.is(value, -0)).toBe(false);
              else expect(['string', 'boolean']).toContain(typeof value);
              for (const text of typeof value === 'string' ? [key, value] : [key]) {
                expect(typeof text).toBe('string');
                expect(text.length).toBeLessThanOrEqual(1024);
                expect(isWellFormed(text)).toBe(true);
                expect(text).not.toContain('\u0000');
              }
            }
          }
          expect(total).toBe(sets.length);
          expect(recorder.stats()).toMatchObject({ processed: sets.length, failed: 0 });
        },
      ),
      { numRuns: 200 },
    );
  });
});
