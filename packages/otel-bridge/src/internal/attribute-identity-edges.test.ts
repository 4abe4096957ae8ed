// The identity text of attribute values, as the mirror keys series with it: two values share a
// key exactly when they are the same value (type and text, arrays item by item), and keys put
// one after another never run into each other; a value whose String() throws still gets one.
// StrykerJS survivors of internal/ (docs/reliability.md).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributeValueKey, lengthPrefixed } from './attribute-identity.js';

type Identity = readonly [string, unknown];
/** What a value is, for the key: its type and text, or an array's items. */
const identity = (value: unknown): Identity =>
  Array.isArray(value) ? ['array', value.map(identity)] : [typeof value, String(value)];

// Texts that look like keys and numbers: digits, colons and the array mark.
const text = fc.string({
  unit: fc.constantFrom('1', '2', '0', ':', '[', 'a', 's', 'n', ','),
  maxLength: 6,
});
const scalar = fc.oneof(
  text,
  fc.integer({ min: -20, max: 20 }),
  fc.constantFrom(0.5, Number.NaN, Infinity, -Infinity, -0),
  fc.boolean(),
  fc.bigInt({ min: -20n, max: 20n }),
  fc.constant(undefined),
  fc.constant(null),
);
const value = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 3 }),
  fc.array(fc.array(scalar, { maxLength: 2 }), { maxLength: 2 }),
);

describe('attributeValueKey', () => {
  it('two lists of values have the same keys, one after another, exactly when the values are the same (property)', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 3 }), fc.array(value, { maxLength: 3 }), (a, b) => {
        const sameValues = JSON.stringify(a.map(identity)) === JSON.stringify(b.map(identity));
        expect(a.map(attributeValueKey).join('') === b.map(attributeValueKey).join('')).toBe(
          sameValues,
        );
      }),
      { numRuns: 3_000 },
    );
  });

  it('keys a value by its type initial and length-prefixed text, an array by its length and items', () => {
    expect(attributeValueKey(200)).toBe('n3:200');
    expect(attributeValueKey('200')).toBe('s3:200');
    expect(attributeValueKey(true)).toBe('b4:true');
    expect(attributeValueKey(['a', 1])).toBe('a2[s1:an1:1');
    expect(attributeValueKey([])).toBe('a0[');
    expect(lengthPrefixed('a:b')).toBe('3:a:b');
  });

  it('keys a value whose String() throws as "?" of its type', () => {
    const hostile = {
      [Symbol.toPrimitive]() {
        throw new Error('no text');
      },
    };
    expect(attributeValueKey(hostile)).toBe('o1:?');
    expect(attributeValueKey([hostile, 'x'])).toBe('a2[o1:?s1:x');
  });
});
