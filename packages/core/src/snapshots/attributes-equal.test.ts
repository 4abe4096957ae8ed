// attributesEqual is SameValueZero per key over the same key set (NaN equals NaN, -0 equals 0,
// nothing else crosses types): checked against Array.prototype.includes, which is that relation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributesEqual } from './find.js';
import type { Attributes } from './types.js';

const value = fc.oneof(
  fc.constantFrom(Number.NaN, 0, -0, 1, '1', 'NaN', true, 'true', Number.POSITIVE_INFINITY),
  fc.double(),
  fc.string({ maxLength: 3 }),
  fc.boolean(),
);
const attributes = fc.dictionary(fc.constantFrom('a', 'b', 'c'), value) as fc.Arbitrary<Attributes>;

describe('attributesEqual', () => {
  it('is SameValueZero per key over equal key sets (property)', () => {
    fc.assert(
      fc.property(attributes, attributes, (actual, expected) => {
        const keys = Object.keys(actual);
        const model =
          keys.length === Object.keys(expected).length &&
          keys.every(
            (key) => Object.hasOwn(expected, key) && [actual[key]].includes(expected[key]),
          );
        expect(attributesEqual(actual, expected)).toBe(model);
      }),
      { numRuns: 500 },
    );
  });

  it('NaN equals only NaN', () => {
    expect(attributesEqual({ a: Number.NaN }, { a: Number.NaN })).toBe(true);
    expect(attributesEqual({ a: Number.NaN }, { a: 1 })).toBe(false);
    expect(attributesEqual({ a: 1 }, { a: Number.NaN })).toBe(false);
    expect(attributesEqual({ a: Number.NaN }, { a: 'NaN' })).toBe(false);
  });
});
