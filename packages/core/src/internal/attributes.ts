import type { Attributes } from '../snapshots/types.js';

/**
 * Attribute normalisation: every value becomes a string so that `1` and `'1'` can never become
 * two series with the same Prometheus labels. The mapping is deterministic:
 * - `undefined` / `null` drop the key; strings stay; numbers, booleans and bigints use `String()`;
 * - objects and arrays use `JSON.stringify` (`'[unserializable]'` when that throws);
 * - lone surrogates become U+FFFD, NUL becomes U+FFFD, values longer than
 *   {@link MAX_ATTRIBUTE_VALUE_LENGTH} UTF-16 units are cut to that length.
 */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 1024;

const SEPARATOR = '\u0000';
const REPLACEMENT = '\uFFFD';

type WellFormed = { isWellFormed(): boolean; toWellFormed(): string };

function cleanString(value: string): string {
  let out =
    value.length > MAX_ATTRIBUTE_VALUE_LENGTH ? value.slice(0, MAX_ATTRIBUTE_VALUE_LENGTH) : value;
  out = (out as unknown as WellFormed).toWellFormed();
  return out.includes(SEPARATOR) ? out.replaceAll(SEPARATOR, REPLACEMENT) : out;
}

/** The normalised string for one attribute value, or `undefined` to drop the key. */
export function normalizeAttributeValue(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      if (
        value.length <= MAX_ATTRIBUTE_VALUE_LENGTH &&
        (value as unknown as WellFormed).isWellFormed() &&
        !value.includes(SEPARATOR)
      ) {
        return value;
      }
      return cleanString(value);
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object': {
      if (value === null) return undefined;
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch {
        text = undefined;
      }
      return cleanString(text ?? '[unserializable]');
    }
    default:
      return cleanString(typeof value === 'symbol' ? value.toString() : `[${typeof value}]`);
  }
}

/**
 * Names are cleaned like values, so that two raw names that normalise alike are one key, and a
 * NUL inside a name can never fake the separator between two attributes.
 */
export function cleanName(name: string): string {
  return name.length <= MAX_ATTRIBUTE_VALUE_LENGTH &&
    (name as unknown as WellFormed).isWellFormed() &&
    !name.includes(SEPARATOR)
    ? name
    : cleanString(name);
}

/**
 * The defined attributes of `raw` as `[cleanName, value]`, sorted by name. Two raw names can clean
 * to one (`'\ud800'` and `'\udfff'` both become U+FFFD): one entry per name is kept, the greatest
 * value, so the choice depends on the attributes and never on the order of their keys.
 */
function sortedEntries(raw: Readonly<Record<string, unknown>>): [string, string][] {
  const entries: [string, string][] = [];
  for (const name of Object.keys(raw)) {
    const value = normalizeAttributeValue(raw[name]);
    if (value !== undefined) entries.push([cleanName(name), value]);
  }
  entries.sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
  );
  let kept = 0;
  for (const entry of entries) {
    if (kept > 0 && (entries[kept - 1] as [string, string])[0] === entry[0]) {
      entries[kept - 1] = entry;
    } else {
      entries[kept++] = entry;
    }
  }
  entries.length = kept;
  return entries;
}

/**
 * A stable identity for an attribute set, computed without allocating the normalised object.
 * Keys are taken in sorted order so `{a, b}` and `{b, a}` are one point. The key set is the one
 * {@link normalizeAttributes} keeps: own enumerable string keys (as `Object.keys`, spread and
 * `JSON.stringify` see them), so inherited keys never split a point that then looks like another.
 */
export function attributeKey(raw: Readonly<Record<string, unknown>>): string {
  let key = '';
  let previous = '';
  let sorted = true;
  for (const rawName of Object.keys(raw)) {
    const value = normalizeAttributeValue(raw[rawName]);
    if (value === undefined) continue;
    const name = cleanName(rawName);
    // A cleaned name may now equal another one: the exact path keeps one entry per name.
    if (name !== rawName || (key.length > 0 && name <= previous)) sorted = false;
    previous = name;
    key += name + SEPARATOR + value + SEPARATOR;
  }
  if (sorted) return key;
  key = '';
  for (const [name, value] of sortedEntries(raw)) key += name + SEPARATOR + value + SEPARATOR;
  return key;
}

/**
 * The normalised attribute object for `raw` (sorted keys), built once per new point. Every key is
 * an own data property: `__proto__` (from `JSON.parse` or a computed key) stays an attribute
 * instead of setting the prototype, and names like `constructor` never read `Object.prototype`.
 */
export function normalizeAttributes(raw: Readonly<Record<string, unknown>>): Attributes {
  const out: Attributes = {};
  for (const [name, value] of sortedEntries(raw)) {
    if (name === '__proto__') {
      Object.defineProperty(out, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[name] = value;
    }
  }
  return out;
}

/**
 * `attributes()` may return a `Map`: its entries become attributes, keys normalised like values
 * (a string key stays, `1` becomes `'1'`); keys that normalise to nothing are left out.
 */
export function attributesFromMap(map: ReadonlyMap<unknown, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawName, value] of map) {
    const name = normalizeAttributeValue(rawName);
    if (name === undefined) continue;
    Object.defineProperty(out, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** A short, safe rendering of a bad value for error messages. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'bigint':
      return `${value}n`;
    case 'object':
      // Array.isArray throws on a revoked Proxy.
      if (value === null) return 'null';
      try {
        return Array.isArray(value) ? 'an array' : 'an object';
      } catch {
        return 'an object';
      }
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      return String(value);
  }
}
