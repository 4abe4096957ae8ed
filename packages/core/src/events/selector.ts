/** A class whose instances (subclasses included) a metric accepts. */
export type EventClass<E extends object = object> = abstract new (...args: never[]) => E;
/** A function deciding whether a metric accepts an event. */
export type EventPredicate<E extends object = object> = (event: E) => boolean;
/** How a metric picks its events: a class, a `type` string, or a predicate. */
export type EventSelector<E extends object = object> = EventClass<E> | string | EventPredicate<E>;

const CLASS_SOURCE = /^class[\s{]/;

// OrdinaryHasInstance: what `x instanceof C` runs unless C defines its own `Symbol.hasInstance`.
const ordinaryHasInstance = Function.prototype[Symbol.hasInstance] as (
  this: Function,
  value: unknown,
) => boolean;

function isClass(fn: Function): boolean {
  const proto = (fn as { prototype?: unknown }).prototype;
  // Arrow functions and methods have none; `instanceof` throws for one that is no object (a
  // constructor's prototype replaced by null or a primitive): predicates.
  if (proto === null || (typeof proto !== 'object' && typeof proto !== 'function')) return false;
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
      // `instanceof` looks up `Symbol.hasInstance` on every call, which costs more than the test
      // itself on the hot path; when that lookup yields the default, call it directly (same result).
      if (hasOrdinaryInstanceof(cls)) {
        return (event) => ordinaryHasInstance.call(cls, event);
      }
      return (event) => event instanceof cls;
    }
    const predicate = on as EventPredicate<E>;
    return (event) => predicate(event as E) === true;
  }
  throw new TypeError('`on` must be an event class, a type string or a predicate');
}

/**
 * A selector taken apart for the hot path: when `cls` is set, an event is selected iff
 * `OrdinaryHasInstance(cls, event)` (exactly `event instanceof cls`, the class having no
 * `Symbol.hasInstance` of its own); when `type` is set, iff `event.type === type`; otherwise iff
 * `test(event)`. `test` always gives the same answer as the other two, only slower.
 */
export interface SplitSelector {
  readonly cls: Function | undefined;
  readonly type: string | undefined;
  readonly test: (event: object) => boolean;
}

/** Splits a selector so a caller can test classes and types without a closure call. */
export function splitSelector<E extends object>(on: EventSelector<E>): SplitSelector {
  const test = compileSelector(on);
  if (typeof on === 'string') return { cls: undefined, type: on, test };
  const cls = isClass(on) && hasOrdinaryInstanceof(on) ? on : undefined;
  return { cls, type: undefined, test };
}

/** `OrdinaryHasInstance(cls, value)`: the check behind `value instanceof cls`. */
export function isInstance(cls: Function, value: unknown): boolean {
  return ordinaryHasInstance.call(cls, value);
}

function hasOrdinaryInstanceof(cls: Function): boolean {
  return (cls as { [Symbol.hasInstance]?: unknown })[Symbol.hasInstance] === ordinaryHasInstance;
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
