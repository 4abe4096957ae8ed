import type { HrTime, Attributes as OtelAttributes } from '@opentelemetry/api';
import { attributeValueKey, lengthPrefixed } from '../internal/attribute-identity.js';

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
  for (const key of keys) id += `${lengthPrefixed(key)}${attributeValueKey(attributes[key])}`;
  return id;
}

/** The earlier of two times: the start of a series aggregated over several recorders. */
export function earliest(a: HrTime, b: HrTime): HrTime {
  return b[0] < a[0] || (b[0] === a[0] && b[1] < a[1]) ? b : a;
}
