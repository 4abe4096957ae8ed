// Wiring-time checks of a recorder's options. Each throws a MetricsWiringError naming the
// recorder, the mistake and the fix; none runs on the hot path. Each option is read once (a
// getter cannot hand the recorder another value later), and `null` is a mistake, not a default.
import { type ErrorHandler, MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import { checkOverflow, checkPositiveInteger } from '../internal/buffer-options.js';
import {
  optionalArray,
  optionalClock,
  optionalFunction,
  optionalOneOf,
  optionsObject,
  readOption,
} from '../internal/option-checks.js';
import type { Metric } from '../metrics/types.js';
import type { OverflowPolicy, RecorderOptions, UnhandledEventsPolicy } from './types.js';

/** The values of `unhandledEvents`. */
export const UNHANDLED_EVENTS: readonly UnhandledEventsPolicy[] = ['report', 'ignore'];

/** Default bound of a recorder's pending-event buffer (`maxPendingEvents`). */
export const DEFAULT_MAX_PENDING_EVENTS = 65_536;

/** A recorder's options after the wiring-time checks. */
export interface CheckedRecorderOptions {
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  readonly metrics: readonly Metric[];
  /** Checked where it is resolved (`resolveScheduler`). */
  readonly scheduler: unknown;
  readonly onError: ErrorHandler | undefined;
  readonly clock: (() => number) | undefined;
  readonly unhandledEvents: UnhandledEventsPolicy;
}

/** A recorder's name and options, checked and defaulted. */
export function checkRecorderOptions(name: string, raw: RecorderOptions): CheckedRecorderOptions {
  if (typeof name !== 'string' || name.length === 0) {
    throw new MetricsWiringError(
      'invalid-recorder-name',
      `Recorder name must be a non-empty string, got ${describeValue(name)}.`,
    );
  }
  const label = `Recorder "${name}"`;
  const owner = { label };
  const options = optionsObject(owner, raw);
  const capacity = readOption(owner, options, 'maxPendingEvents');
  const overflow = readOption(owner, options, 'overflow');
  return {
    capacity: checkPositiveInteger(
      label,
      'maxPendingEvents',
      capacity === undefined ? DEFAULT_MAX_PENDING_EVENTS : capacity,
    ),
    overflow: checkOverflow(label, overflow === undefined ? 'drop-newest' : overflow),
    metrics: (optionalArray(owner, options, 'metrics') ?? []) as Metric[],
    scheduler: readOption(owner, options, 'scheduler'),
    onError: optionalFunction<ErrorHandler>(owner, options, 'onError'),
    clock: optionalClock(owner, options),
    unhandledEvents: optionalOneOf(owner, options, 'unhandledEvents', UNHANDLED_EVENTS) ?? 'report',
  };
}
