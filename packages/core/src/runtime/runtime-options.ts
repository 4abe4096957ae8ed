// Wiring-time checks of a runtime's options and of createRecorder's. Each throws a
// MetricsWiringError naming the option and the value; none runs on the hot path.
import { describeError } from '../errors/describe-error.js';
import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import { checkOverflow, checkPositiveInteger } from '../internal/buffer-options.js';
import { optionalOneOf, optionsObject, readOption } from '../internal/option-checks.js';
import type { Metric } from '../metrics/types.js';
import type { OverflowPolicy, UnhandledEventsPolicy } from '../recorder/types.js';
import { UNHANDLED_EVENTS } from '../recorder/validate-options.js';
import type { CreateRecorderOptions } from './types.js';

/** The settings a runtime hands its recorders; `undefined` = the recorder's own default. */
export interface RecorderDefaults {
  readonly maxPendingEvents: number | undefined;
  readonly overflow: OverflowPolicy | undefined;
  readonly unhandledEvents: UnhandledEventsPolicy | undefined;
}

/** createRecorder's options, each read once (the recorder checks what it receives again), with the runtime's buffer defaults filled in. */
export function checkCreateOptions(
  name: string,
  raw: CreateRecorderOptions,
  defaults: RecorderDefaults,
): {
  metrics: readonly Metric[];
  maxPendingEvents?: number;
  overflow?: OverflowPolicy;
  unhandledEvents?: UnhandledEventsPolicy;
} {
  const owner = { label: `createRecorder("${typeof name === 'string' ? name : '?'}")` };
  const options = optionsObject(owner, raw);
  const given = readOption(owner, options, 'metrics');
  let metrics: unknown = given === undefined ? [] : given;
  if (typeof given === 'function') {
    try {
      metrics = given(name);
    } catch (error) {
      throw new MetricsWiringError(
        'invalid-option',
        `${owner.label}: the metrics factory threw: ${describeError(error)}.`,
        { cause: error },
      );
    }
  }
  let list: Metric[] | undefined;
  try {
    list = Array.isArray(metrics) ? [...metrics] : undefined;
  } catch {
    list = undefined;
  }
  if (list === undefined) {
    throw new MetricsWiringError(
      'invalid-option',
      `${owner.label}: option \`metrics\` must be an array of metrics or a function returning one, got ${describeValue(typeof given === 'function' ? metrics : given)}${typeof given === 'function' ? ' from the factory' : ''}.`,
    );
  }
  const own = bufferOptions(owner.label, options);
  const maxPendingEvents = own.maxPendingEvents ?? defaults.maxPendingEvents;
  const overflow = own.overflow ?? defaults.overflow;
  const unhandledEvents = own.unhandledEvents ?? defaults.unhandledEvents;
  return {
    metrics: list,
    ...(maxPendingEvents === undefined ? {} : { maxPendingEvents }),
    ...(overflow === undefined ? {} : { overflow }),
    ...(unhandledEvents === undefined ? {} : { unhandledEvents }),
  };
}

/** Whether `error` is a MetricsWiringError. `instanceof` asks a Proxy for its prototype, which throws once the proxy is revoked. */
export function isWiringError(error: unknown): boolean {
  try {
    return error instanceof MetricsWiringError;
  } catch {
    return false;
  }
}

/** A runtime's and createRecorder's recorder defaults: absent = inherited, anything else checked. */
export function bufferOptions(label: string, options: object): RecorderDefaults {
  const owner = { label };
  const capacity = readOption(owner, options, 'maxPendingEvents');
  const overflow = readOption(owner, options, 'overflow');
  return {
    maxPendingEvents:
      capacity === undefined
        ? undefined
        : checkPositiveInteger(label, 'maxPendingEvents', capacity),
    overflow: overflow === undefined ? undefined : checkOverflow(label, overflow),
    unhandledEvents: optionalOneOf(owner, options, 'unhandledEvents', UNHANDLED_EVENTS),
  };
}
