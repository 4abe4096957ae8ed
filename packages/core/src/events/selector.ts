/** A class whose instances (subclasses included) a metric accepts. */
export type EventClass<E extends object = object> = abstract new (...args: never[]) => E;
/** A function deciding whether a metric accepts an event. */
export type EventPredicate<E extends object = object> = (event: E) => boolean;
/** How a metric picks its events: a class, a `type` string, or a predicate. */
export type EventSelector<E extends object = object> = EventClass<E> | string | EventPredicate<E>;

const CLASS_SOURCE = /^class[\s{]/;

function isClass(fn: Function): boolean {
  const proto = (fn as { prototype?: unknown }).prototype;
  if (proto === undefined) return false; // arrow functions and methods: predicates
  if (CLASS_SOURCE.test(Function.prototype.toString.call(fn))) return true;
  // an old-style constructor function with methods on its prototype
  return Object.getOwnPropertyNames(proto).length > 1;
}

/**
 * Turns a selector into a plain test. Classes use `instanceof` (subclasses included), strings
 * compare with the event's `type` property, anything else callable is a predicate.
 */
export function compileSelector<E extends object>(
  on: EventSelector<E>,
): (event: object) => boolean {
  if (typeof on === 'string') {
    return (event) => (event as { type?: unknown }).type === on;
  }
  if (typeof on === 'function') {
    if (isClass(on)) {
      const cls = on as EventClass<E>;
      return (event) => event instanceof cls;
    }
    const predicate = on as EventPredicate<E>;
    return (event) => predicate(event as E) === true;
  }
  throw new TypeError('`on` must be an event class, a type string or a predicate');
}

/** A short name for an event: its `type`, else its class name. Never throws. */
export function describeEvent(event: unknown): string {
  try {
    if (event === null || typeof event !== 'object') return typeof event;
    const type = (event as { type?: unknown }).type;
    if (typeof type === 'string' && type.length > 0) return type;
    const ctor = (event as { constructor?: { name?: unknown } }).constructor;
    return typeof ctor?.name === 'string' && ctor.name.length > 0 ? ctor.name : 'Object';
  } catch {
    return 'Object';
  }
}
