import type { Attributes, AttributeValue } from '../snapshots/types.js';

/**
 * Attribute normalisation: strings, numbers and booleans keep their type (OpenTelemetry's
 * attribute types: `http.response.status_code` stays the int `413` over OTLP), everything else
 * becomes a string. The mapping is deterministic:
 * - `undefined` / `null` drop the key; strings stay; numbers stay, `-0` becoming `0` (one value
 *   for OTLP's int64, for sdk-metrics' attribute hashing and for the exporter's label text);
 *   `NaN` and `±Infinity` stay numbers too; booleans stay;
 * - bigints (not an OpenTelemetry attribute type) use `String()`;
 * - objects and arrays use `JSON.stringify` (`'[unserializable]'` when that throws);
 * - in strings, lone surrogates become U+FFFD, NUL becomes U+FFFD, values longer than
 *   {@link MAX_ATTRIBUTE_VALUE_LENGTH} UTF-16 units are cut to that length.
 *
 * A value's type is part of a point's identity: `200` and `'200'` are two points (two attribute
 * sets over OTLP, as sdk-metrics keeps them); on `/metrics`, where both print `200`, the bridge
 * merges them into one series.
 */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 1024;

const SEPARATOR = '\u0000';

/**
 * Marks (non-enumerable, invisible to JSON) a snapshot whose points a built-in metric made: each
 * point's attributes are normalised and no two are equal. Registered with `Symbol.for`, so a
 * bridge that sees another copy of core reads the same mark; a snapshot without it is normalised
 * by whoever exports it.
 */
export const NORMALIZED_SNAPSHOT: unique symbol = Symbol.for(
  '@mvx-metrics/core.normalized-snapshot',
);

/**
 * A built-in metric's method, under this registry key, that visits its live points (core's own
 * point objects, not copies) with their stable index, and returns `true`; it returns `false`
 * without visiting when the metric's `snapshot()` is overridden (then only the snapshot says what
 * the metric reports). A bridge reads state at collection this way instead of keeping a copy of
 * every point; it must not change what it is shown, nor keep an object it was shown past the call
 * (only what it derived from it: attributes are never changed once a point is made).
 */
export const LIVE_POINTS: unique symbol = Symbol.for('@mvx-metrics/core.live-points');
const REPLACEMENT = '\uFFFD';

type WellFormed = { isWellFormed(): boolean; toWellFormed(): string };

function cleanString(value: string): string {
  let out =
    value.length > MAX_ATTRIBUTE_VALUE_LENGTH ? value.slice(0, MAX_ATTRIBUTE_VALUE_LENGTH) : value;
  out = (out as unknown as WellFormed).toWellFormed();
  return out.includes(SEPARATOR) ? out.replaceAll(SEPARATOR, REPLACEMENT) : out;
}

/** The normalised value of one attribute (a string, a number or a boolean), or `undefined` to drop the key. */
export function normalizeAttributeValue(value: unknown): AttributeValue | undefined {
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
      // `-0 === 0`: both are 0 (OTLP's int64 and the exporter's label text have no -0 either).
      return value === 0 ? 0 : value;
    case 'boolean':
      return value;
    case 'bigint':
      return String(value);
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
 * Reads an attribute set once: its names and raw values, in order, into the first places of
 * `names` and `values`; returns how many. A plain object gives its own enumerable string keys (as `Object.keys`, spread
 * and `JSON.stringify` see them), each value read once, so a getter or a Proxy is asked once per
 * key; a `Map` gives its entries, keys normalised like values (`1` becomes `'1'`, a key that
 * normalises to nothing is left out).
 */
export function readAttributes(raw: object, names: string[], values: unknown[]): number {
  // Written by index, never by resetting `length`: that would give the arrays' storage back and
  // make every event allocate it again (the scratch arrays of a point store are reused).
  let count = 0;
  if (raw instanceof Map) {
    for (const [rawName, value] of raw) {
      const name = normalizeAttributeValue(rawName);
      if (name === undefined) continue;
      names[count] = typeof name === 'string' ? name : String(name);
      values[count++] = value;
    }
    return count;
  }
  const record = raw as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(record)) {
    names[count] = name;
    values[count++] = record[name];
  }
  return count;
}

/** A normalised attribute set: `[name, value]` pairs sorted by name, one per name. */
export type AttributeEntries = readonly (readonly [string, AttributeValue])[];

type Entry = [string, AttributeValue];

// One character per type, before the value in a key: `200` and `'200'` are two identities.
function typeTag(value: AttributeValue): string {
  return typeof value === 'string' ? 's' : typeof value === 'number' ? 'n' : 'b';
}

// A value's text tagged with its type: part of a key, and a total order on normalised values.
function valueText(value: AttributeValue): string {
  return typeTag(value) + String(value);
}

// The order that picks the one entry kept per name: by text (as before values had types), then type.
function compareValues(a: AttributeValue, b: AttributeValue): number {
  const x = String(a);
  const y = String(b);
  if (x !== y) return x < y ? -1 : 1;
  const s = typeTag(a);
  const t = typeTag(b);
  return s < t ? -1 : s > t ? 1 : 0;
}

/**
 * The normalised entries of names and raw values read by {@link readAttributes} (each value is
 * normalised once here, and never read again). Two raw names can clean to one (`'\ud800'` and
 * `'\udfff'` both become U+FFFD): one entry per name is kept, the greatest value, so the choice
 * depends on the attributes and never on the order of their keys.
 */
export function normalizedEntries(
  names: readonly string[],
  values: readonly unknown[],
  count: number,
): AttributeEntries {
  const entries: Entry[] = [];
  let sorted = true;
  for (let i = 0; i < count; i++) {
    const value = normalizeAttributeValue(values[i]);
    if (value === undefined) continue;
    const name = cleanName(names[i] as string);
    if (sorted && entries.length > 0 && name <= (entries[entries.length - 1] as Entry)[0])
      sorted = false;
    entries.push([name, value]);
  }
  if (sorted) return entries;
  entries.sort((a, b) => {
    if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
    return compareValues(a[1], b[1]);
  });
  let kept = 0;
  for (const entry of entries) {
    if (kept > 0 && (entries[kept - 1] as Entry)[0] === entry[0]) {
      entries[kept - 1] = entry;
    } else {
      entries[kept++] = entry;
    }
  }
  entries.length = kept;
  return entries;
}

/**
 * A stable identity for normalised entries: `{a, b}` and `{b, a}` are one key; `1` and `'1'` are
 * two (each value is tagged with its type). NUL never occurs in a normalised name or string value,
 * nor in a number's or boolean's text, so it separates them unambiguously.
 */
export function entriesKey(entries: AttributeEntries): string {
  let key = '';
  for (const [name, value] of entries) {
    key +=
      typeof value === 'string'
        ? `${name}${SEPARATOR}s${value}${SEPARATOR}`
        : `${name}${SEPARATOR}${valueText(value)}${SEPARATOR}`;
  }
  return key;
}

/**
 * The attribute object of normalised entries (sorted keys). Every key is an own data property:
 * `__proto__` (from `JSON.parse` or a computed key) stays an attribute instead of setting the
 * prototype, and names like `constructor` never read `Object.prototype`.
 */
export function entriesObject(entries: AttributeEntries): Attributes {
  const out: Attributes = {};
  for (const [name, value] of entries) {
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
 * The one normalisation rule for an attribute set, wherever it enters (a built-in metric's
 * `attributes()`, `initial`, a hand-written metric's `update.attributes` and snapshot points):
 * each key enumerated once and each value read once ({@link readAttributes}), values and names
 * normalised ({@link normalizeAttributeValue}), sorted. `null`, `undefined` and primitives mean
 * no attributes.
 */
export function normalizeAttributes(raw: unknown): Attributes {
  if (raw === null || typeof raw !== 'object') return {};
  const names: string[] = [];
  const values: unknown[] = [];
  const count = readAttributes(raw, names, values);
  return entriesObject(normalizedEntries(names, values, count));
}

/** The identity {@link normalizeAttributes} gives `raw`: equal keys, one series. Test helper. */
export function attributeKey(raw: unknown): string {
  if (raw === null || typeof raw !== 'object') return '';
  const names: string[] = [];
  const values: unknown[] = [];
  const count = readAttributes(raw, names, values);
  return entriesKey(normalizedEntries(names, values, count));
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
