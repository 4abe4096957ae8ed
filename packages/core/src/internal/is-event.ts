/**
 * Whether `value` is a valid event: a non-null object that is not a function. Exactly
 * `typeof value === 'object' && value !== null`, computed the cheap way first: on V8 (Node 20)
 * `typeof` or `== null` on the event inside `registerEvent` cost as much as the rest of the call
 * (measured in bench/core.bench.mjs), while two `instanceof` tests decide the common case.
 * Null-prototype objects, objects of another realm, functions and proxies take the exact path.
 */
export function isEvent(value: unknown): value is object {
  try {
    if (value instanceof Object && !(value instanceof Function)) return true;
  } catch {
    // a proxy whose getPrototypeOf trap throws: decided below
  }
  return typeof value === 'object' && value !== null;
}
