import type { HrTime, Attributes as OtelAttributes } from '@opentelemetry/api';

/**
 * Identity of an attribute set: its entries sorted by key. Only built for metrics whose series can
 * collide (recorder attribute off, or a point's own attribute shadowed by it).
 */
export function attributesKey(attributes: OtelAttributes): string {
  // Views are cached between collections, and so are their attribute objects: key them once
  // (attribute objects are treated as immutable, as the instruments path's attribute cache does).
  let id = KEYS.get(attributes);
  if (id === undefined) {
    id = buildKey(attributes);
    KEYS.set(attributes, id);
  }
  return id;
}

const KEYS = new WeakMap<OtelAttributes, string>();

function buildKey(attributes: OtelAttributes): string {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return '';
  keys.sort();
  let id = '';
  for (const key of keys) id += `${part(key)}${valuePart(attributes[key])}`;
  return id;
}

// Length-prefixed parts: no key or value, whatever its characters, can run into the next one.
// Never throws, whatever a hand-written metric put in its attributes (bigint, symbol, cycles).
function part(text: string): string {
  return `${text.length}:${text}`;
}

function valuePart(value: unknown): string {
  if (Array.isArray(value)) {
    let id = `a${value.length}[`;
    for (const item of value) id += valuePart(item);
    return id;
  }
  return `${(typeof value)[0]}${part(safeString(value))}`;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '?';
  }
}

/** The earlier of two times: the start of a series aggregated over several recorders. */
export function earliest(a: HrTime, b: HrTime): HrTime {
  return b[0] < a[0] || (b[0] === a[0] && b[1] < a[1]) ? b : a;
}
