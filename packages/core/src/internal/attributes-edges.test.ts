import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attributeKey,
  cleanName,
  describeValue,
  MAX_ATTRIBUTE_VALUE_LENGTH,
  normalizeAttributes,
  normalizeAttributeValue,
} from './attributes.js';

// The edges of attribute normalisation that attributes.test.ts leaves open: names that clean
// alike with values of equal text, every Object.prototype name as a key, over-long names, Map
// keys that are no strings, what is no attribute set at all, and the texts of error messages.

/** `list` as an object with its keys in this order, every key an own data property. */
function objectOf(list: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of list) {
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);

describe('names that clean to one name', () => {
  // Lone surrogates and NUL all clean to U+FFFD: these are one name after cleaning.
  const alike = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\u0000', '\ufffd');
  // Values whose texts are equal across types, so that only the type orders them.
  const typed = fc.constantFrom<unknown>(
    1,
    '1',
    true,
    'true',
    false,
    'false',
    0,
    '0',
    -0,
    Number.NaN,
    'NaN',
    10n,
    '10',
    10,
  );

  it('keep one entry, the same whatever the order of the keys (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(alike, typed), { selector: (e) => e[0], minLength: 1 }),
        fc.func(fc.integer()),
        (entries, rank) => {
          const shuffled = [...entries].sort(
            (a, b) => rank(a[0]) - rank(b[0]) || (a[0] < b[0] ? -1 : 1),
          );
          const one = normalizeAttributes(objectOf(entries));
          const other = normalizeAttributes(objectOf(shuffled));
          expect(Object.keys(one)).toEqual(['\ufffd']);
          expect(other).toEqual(one);
          expect(attributeKey(objectOf(shuffled))).toBe(attributeKey(objectOf(entries)));
          expect(attributeKey(new Map(shuffled))).toBe(attributeKey(objectOf(entries)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keep the greatest value: by text, then a string over a number over a boolean', () => {
    const kept = (...values: unknown[]) =>
      normalizeAttributes(
        objectOf(values.map((value, i) => [['\ud800', '\udc00', '\u0000'][i] as string, value])),
      )['\ufffd'];
    expect(kept(1, '1')).toBe('1');
    expect(kept('1', 1)).toBe('1');
    expect(kept(1, true)).toBe(true); // 'true' > '1' by text
    expect(kept(true, 'true')).toBe('true');
    expect(kept('true', true)).toBe('true');
    expect(kept(false, 0)).toBe(false); // 'false' > '0'
    expect(kept(10, '10', 10n)).toBe('10');
    expect(kept(Number.NaN, 'NaN')).toBe('NaN');
    expect(kept(2, '10')).toBe(2); // '2' > '10' by text
    expect(kept(0, -0)).toBe(0);
  });
});

describe('every Object.prototype name as an attribute name', () => {
  it('gives each key an own, plain data property and never touches the prototype (property)', () => {
    const name = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.constantFrom('a', 'z', 'Z'));
    // lone surrogates, extreme numbers (NaN, ±Infinity, -0, subnormals), bigints, dropped values
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 4 }),
      fc.double(),
      fc.boolean(),
      fc.bigInt(),
      fc.constantFrom(null, undefined),
    );
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: (e) => e[0] }), (entries) => {
        const out = normalizeAttributes(objectOf(entries));
        const kept = entries.filter(([, raw]) => raw !== undefined && raw !== null);
        expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
        expect(Object.keys(out)).toEqual(kept.map((e) => e[0]).sort());
        for (const [key, raw] of kept) {
          expect(Object.getOwnPropertyDescriptor(out, key)).toEqual({
            value: normalizeAttributeValue(raw),
            writable: true,
            enumerable: true,
            configurable: true,
          });
        }
        // the same set from a Map (JSON.parse gives '__proto__' as an own key too)
        expect(normalizeAttributes(new Map(entries))).toEqual(out);
        expect(attributeKey(new Map(entries))).toBe(attributeKey(objectOf(entries)));
      }),
    );
  });
});

describe('over-long names', () => {
  it('cuts a name to 1024 UTF-16 units, as a value: two names that differ after that are one', () => {
    const long = 'n'.repeat(MAX_ATTRIBUTE_VALUE_LENGTH);
    expect(cleanName(long)).toBe(long);
    expect(cleanName(`${long}x`)).toBe(long);
    expect(cleanName(`${long}${'y'.repeat(5000)}`)).toBe(long);
    expect(normalizeAttributes({ [`${long}a`]: 1 })).toEqual({ [long]: 1 });
    expect(attributeKey({ [`${long}a`]: 1 })).toBe(attributeKey({ [`${long}b`]: 1 }));
    // cut before checking the pairs: no half of a pair left at the end
    expect(cleanName(`${'n'.repeat(1023)}\u{1F600}`)).toBe(`${'n'.repeat(1023)}\ufffd`);
  });

  it('keeps every name of at most 1024 units that is well formed and has no NUL as it is (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.nat(MAX_ATTRIBUTE_VALUE_LENGTH),
        (text, length) => {
          const name = text.replaceAll('\u0000', '').repeat(4).slice(0, length);
          if (/[\ud800-\udfff]$/.test(name)) return; // cut inside a pair
          expect(cleanName(name)).toBe(name);
          expect(normalizeAttributeValue(name)).toBe(name);
        },
      ),
    );
  });
});

describe('Map attributes', () => {
  it('turn number, boolean and bigint keys into their text, and leave undefined and null keys out', () => {
    const map = new Map<unknown, unknown>([
      [1, 'one'],
      [true, 'yes'],
      [2n, 'two'],
      [undefined, 'gone'],
      [null, 'gone too'],
      ['s', 'str'],
    ]);
    expect(normalizeAttributes(map)).toEqual({ 1: 'one', 2: 'two', s: 'str', true: 'yes' });
    expect(Object.keys(normalizeAttributes(map))).toEqual(['1', '2', 's', 'true']);
    expect(attributeKey(map)).toBe(attributeKey({ 1: 'one', true: 'yes', 2: 'two', s: 'str' }));
    expect(normalizeAttributes(new Map([[undefined, 'x']]))).toEqual({});
  });
});

describe('what is no attribute set', () => {
  it('gives null, undefined and every primitive no attributes, the identity of the empty set (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(null, undefined),
          fc.string(),
          fc.double(),
          fc.boolean(),
          fc.bigInt(),
        ),
        (raw) => {
          expect(normalizeAttributes(raw)).toEqual({});
          expect(attributeKey(raw)).toBe('');
          expect(attributeKey(raw)).toBe(attributeKey({}));
          expect(attributeKey(raw)).toBe(attributeKey({ a: undefined, b: null }));
        },
      ),
    );
  });
});

describe('values of no attribute type', () => {
  it('turns a symbol into its description text and a function into a marker', () => {
    expect(normalizeAttributeValue(Symbol('s'))).toBe('Symbol(s)');
    expect(normalizeAttributeValue(Symbol())).toBe('Symbol()');
    expect(normalizeAttributeValue(() => 1)).toBe('[function]');
    expect(normalizeAttributeValue(class Named {})).toBe('[function]');
    expect(normalizeAttributes({ f: () => 1, s: Symbol('\ud800') })).toEqual({
      f: '[function]',
      s: 'Symbol(\ufffd)',
    });
  });
});

describe('describeValue (error messages)', () => {
  it('quotes strings up to 40 characters whole and cuts longer ones at 40 with an ellipsis', () => {
    expect(describeValue('x'.repeat(40))).toBe(JSON.stringify('x'.repeat(40)));
    expect(describeValue('x'.repeat(41))).toBe(JSON.stringify(`${'x'.repeat(40)}…`));
    expect(describeValue(`${'a'.repeat(40)}SECRET`)).not.toContain('SECRET');
    expect(describeValue('')).toBe('""');
  });

  it('names each kind of value', () => {
    expect(describeValue(10n)).toBe('10n');
    expect(describeValue(-1n)).toBe('-1n');
    expect(describeValue(Symbol('secret'))).toBe('a symbol');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue([1])).toBe('an array');
    expect(describeValue({ a: 1 })).toBe('an object');
    expect(describeValue(1.5)).toBe('1.5');
    expect(describeValue(true)).toBe('true');
    const { proxy, revoke } = Proxy.revocable([], {});
    revoke();
    expect(describeValue(proxy)).toBe('an object');
  });
});
