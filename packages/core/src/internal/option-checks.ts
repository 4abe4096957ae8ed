// Wiring-time checks of option objects: a mistyped option throws a MetricsWiringError naming the
// owner and the option when the wiring runs, instead of failing on every event later. Reads are
// guarded too: an options object whose getter throws is itself a wiring mistake.

import { describeError } from '../errors/describe-error.js';
import { type MetricsErrorCode, MetricsWiringError } from '../errors/index.js';
import { describeValue } from './attributes.js';

/** Who owns the options (`MetricsRuntime "docs"`) and which error code a mistake carries. */
export interface OptionOwner {
  readonly label: string;
  readonly code?: MetricsErrorCode;
}

function fail(owner: OptionOwner, message: string, cause?: unknown): never {
  throw new MetricsWiringError(
    owner.code ?? 'invalid-option',
    `${owner.label}: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

/** `options` itself: `undefined` means `{}`; anything but a plain object (or class instance) is refused. */
export function optionsObject(
  owner: OptionOwner,
  options: unknown,
): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  let isObject = false;
  try {
    isObject = typeof options === 'object' && options !== null && !Array.isArray(options);
  } catch {
    isObject = false; // a revoked Proxy
  }
  if (!isObject) fail(owner, `options must be an object, got ${describeValue(options)}.`);
  return options as Readonly<Record<string, unknown>>;
}

/** Reads `options[key]`, turning a throwing getter into a wiring error that names the option. */
export function readOption(owner: OptionOwner, options: object, key: string): unknown {
  try {
    return (options as Record<string, unknown>)[key];
  } catch (error) {
    return fail(owner, `reading option \`${key}\` threw: ${describeError(error)}.`, error);
  }
}

function expect(owner: OptionOwner, key: string, wanted: string, value: unknown): never {
  return fail(owner, `option \`${key}\` must be ${wanted}, got ${describeValue(value)}.`);
}

/** `options[key]` when it is absent or a function. */
export function optionalFunction<F extends Function>(
  owner: OptionOwner,
  options: object,
  key: string,
): F | undefined {
  const value = readOption(owner, options, key);
  if (value === undefined || typeof value === 'function') return value as F | undefined;
  return expect(owner, key, 'a function', value);
}

/** `options[key]` when it is absent or a string (non-empty when `nonEmpty`). */
export function optionalString(
  owner: OptionOwner,
  options: object,
  key: string,
  nonEmpty = false,
): string | undefined {
  const value = readOption(owner, options, key);
  if (value === undefined || (typeof value === 'string' && (!nonEmpty || value !== ''))) {
    return value as string | undefined;
  }
  return expect(owner, key, nonEmpty ? 'a non-empty string' : 'a string', value);
}

/** `options[key]` when it is absent or a boolean. */
export function optionalBoolean(
  owner: OptionOwner,
  options: object,
  key: string,
): boolean | undefined {
  const value = readOption(owner, options, key);
  if (value === undefined || typeof value === 'boolean') return value as boolean | undefined;
  return expect(owner, key, '`true` or `false`', value);
}

/** `options[key]` when it is absent or one of `allowed`. */
export function optionalOneOf<T extends string>(
  owner: OptionOwner,
  options: object,
  key: string,
  allowed: readonly T[],
): T | undefined {
  const value = readOption(owner, options, key);
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
  return expect(owner, key, allowed.map((a) => `'${a}'`).join(' or '), value);
}

/** `options[key]` when it is absent or an integer in `[min, max]`. */
export function optionalInteger(
  owner: OptionOwner,
  options: object,
  key: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const value = readOption(owner, options, key);
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
    return value;
  }
  return expect(owner, key, `an integer from ${min} to ${max}`, value);
}

/** `options[key]` when it is absent or a finite number above zero. */
export function optionalPositive(
  owner: OptionOwner,
  options: object,
  key: string,
): number | undefined {
  const value = readOption(owner, options, key);
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  return expect(owner, key, 'a finite number above 0', value);
}

/** `options[key]` when it is absent or an array (a copy is returned, so later mutation cannot bypass the check). */
export function optionalArray(
  owner: OptionOwner,
  options: object,
  key: string,
): unknown[] | undefined {
  const value = readOption(owner, options, key);
  if (value === undefined) return undefined;
  let items: unknown[] | undefined;
  try {
    items = Array.isArray(value) ? [...value] : undefined;
  } catch {
    items = undefined;
  }
  return items ?? expect(owner, key, 'an array', value);
}

/** A clock option: absent, or a function that returns a finite number (called once here). */
export function optionalClock(
  owner: OptionOwner,
  options: object,
  key = 'clock',
): (() => number) | undefined {
  const clock = optionalFunction<() => number>(owner, options, key);
  if (clock === undefined) return undefined;
  let now: unknown;
  try {
    now = clock();
  } catch (error) {
    return fail(owner, `option \`${key}\` threw when called: ${describeError(error)}.`, error);
  }
  if (typeof now === 'number' && Number.isFinite(now)) return clock;
  return expect(owner, key, 'a function returning a finite number of milliseconds', now);
}
