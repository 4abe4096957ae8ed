// Wiring-time checks of the bridge's option objects: a mistyped option throws a
// MetricsWiringError naming the function and the option (core's checks are internal to core).
import { describeError, MetricsWiringError } from '@mvx-metrics/core';

/** Throws the wiring error `${owner}: ${message}`. */
export function optionError(owner: string, message: string, cause?: unknown): never {
  throw new MetricsWiringError(
    'invalid-option',
    `${owner}: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

/** A short rendering of a bad option value; never throws. */
export function shown(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  try {
    return Array.isArray(value) ? 'an array' : 'an object';
  } catch {
    return 'an object';
  }
}

/** `options` as an object (`undefined` = `{}`); anything else is a wiring error. */
export function optionsObject(owner: string, options: unknown): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  let ok = false;
  try {
    ok = typeof options === 'object' && options !== null && !Array.isArray(options);
  } catch {
    ok = false;
  }
  if (!ok) optionError(owner, `options must be an object, got ${shown(options)}.`);
  return options as Readonly<Record<string, unknown>>;
}

/** Reads one option; a throwing getter becomes a wiring error naming it. */
export function readOption(owner: string, options: object, key: string): unknown {
  try {
    return (options as Record<string, unknown>)[key];
  } catch (error) {
    return optionError(owner, `reading option \`${key}\` threw: ${describeError(error)}.`, error);
  }
}

type Check = (value: unknown) => boolean;

/** The checks an option value may have to pass, with what the message says is expected. */
export const IS = {
  function: [(v) => typeof v === 'function', 'a function'],
  boolean: [(v) => typeof v === 'boolean', '`true` or `false`'],
  string: [(v) => typeof v === 'string', 'a string'],
  nonEmptyString: [(v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  positive: [
    (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
    'a finite number above 0',
  ],
} as const satisfies Record<string, readonly [Check, string]>;

/** `options[key]` when absent or passing `check`; otherwise a wiring error naming the option. */
export function optional<T>(
  owner: string,
  options: object,
  key: string,
  [check, wanted]: readonly [Check, string],
): T | undefined {
  const value = readOption(owner, options, key);
  if (value === undefined || check(value)) return value as T | undefined;
  return optionError(owner, `option \`${key}\` must be ${wanted}, got ${shown(value)}.`);
}

/** `options[key]` when absent or an object whose `method` is a function (a provider, say). */
export function optionalWith<T>(
  owner: string,
  options: object,
  key: string,
  method: string,
): T | undefined {
  const value = readOption(owner, options, key);
  if (value === undefined) return undefined;
  let ok = false;
  try {
    ok =
      typeof value === 'object' &&
      value !== null &&
      typeof (value as Record<string, unknown>)[method] === 'function';
  } catch {
    ok = false;
  }
  if (ok) return value as T;
  return optionError(
    owner,
    `option \`${key}\` must be an object with ${method}(), got ${shown(value)}.`,
  );
}

/** A clock option: absent, or a function returning a finite number (called once here). */
export function optionalClock(owner: string, options: object): (() => number) | undefined {
  const clock = optional<() => number>(owner, options, 'clock', IS.function);
  if (clock === undefined) return undefined;
  let now: unknown;
  try {
    now = clock();
  } catch (error) {
    return optionError(
      owner,
      `option \`clock\` threw when called: ${describeError(error)}.`,
      error,
    );
  }
  if (typeof now === 'number' && Number.isFinite(now)) return clock;
  return optionError(
    owner,
    `option \`clock\` must return a finite number of milliseconds, got ${shown(now)}.`,
  );
}
