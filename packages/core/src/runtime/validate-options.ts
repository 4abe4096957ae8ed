// Wiring-time checks of a runtime's options and of createRecorder's: each option read once, a
// mistake (wrong type, `null`, a throwing getter) thrown as a MetricsWiringError naming it.
import { describeError } from '../errors/describe-error.js';
import { defaultErrorHandler, type ErrorHandler, MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import { checkOverflow, checkPositiveInteger } from '../internal/buffer-options.js';
import {
  optionalClock,
  optionalFunction,
  optionalOneOf,
  optionsObject,
  readOption,
} from '../internal/option-checks.js';
import { isValidMetricName } from '../metrics/name.js';
import type { Metric } from '../metrics/types.js';
import type { OverflowPolicy, UnhandledEventsPolicy } from '../recorder/types.js';
import { UNHANDLED_EVENTS } from '../recorder/validate-options.js';
import type { SchedulerOption } from '../scheduler/scheduler.js';

/** The buffer defaults a runtime hands its recorders, or a recorder's own (absent = inherited). */
export interface BufferDefaults {
  readonly maxPendingEvents: number | undefined;
  readonly overflow: OverflowPolicy | undefined;
  readonly unhandledEvents: UnhandledEventsPolicy | undefined;
}

/** A runtime's options after the checks. */
export interface CheckedRuntimeOptions extends BufferDefaults {
  readonly namespace: string;
  /** Checked where it is resolved (`resolveScheduler`). */
  readonly scheduler: SchedulerOption | undefined;
  readonly onError: ErrorHandler;
  readonly clock: (() => number) | undefined;
}

/** Checks the options of `new MetricsRuntime(options)`. */
export function checkRuntimeOptions(options: unknown): CheckedRuntimeOptions {
  const opts = optionsObject({ label: 'MetricsRuntime' }, options ?? null);
  const namespace = readOption({ label: 'MetricsRuntime' }, opts, 'namespace');
  if (!isValidMetricName(namespace)) {
    throw new MetricsWiringError(
      'invalid-option',
      `MetricsRuntime needs a namespace in OpenTelemetry instrument-name syntax (e.g. "docs" or "acme.storage"), got ${describeValue(namespace)}.`,
    );
  }
  const owner = { label: `MetricsRuntime "${namespace}"` };
  return {
    namespace,
    // The recorders' defaults are checked now, not at the first createRecorder.
    ...bufferOptions(owner.label, opts),
    scheduler: readOption(owner, opts, 'scheduler') as SchedulerOption | undefined,
    onError: optionalFunction<ErrorHandler>(owner, opts, 'onError') ?? defaultErrorHandler,
    clock: optionalClock(owner, opts),
  };
}

/** Checks createRecorder's options (the factory called once); buffer options fall back to `defaults`. */
export function checkCreateOptions(
  name: string,
  raw: unknown,
  defaults: BufferDefaults,
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
    const fromFactory = typeof given === 'function';
    throw new MetricsWiringError(
      'invalid-option',
      `${owner.label}: option \`metrics\` must be an array of metrics or a function returning one, got ${describeValue(fromFactory ? metrics : given)}${fromFactory ? ' from the factory' : ''}.`,
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

function bufferOptions(label: string, options: object): BufferDefaults {
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

/** Whether `error` is a MetricsWiringError. `instanceof` asks a Proxy for its prototype, which throws once the proxy is revoked. */
export function isWiringError(error: unknown): boolean {
  try {
    return error instanceof MetricsWiringError;
  } catch {
    return false;
  }
}
