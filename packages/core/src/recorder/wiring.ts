// Wiring-time checks of a recorder: its options and the metrics joining it. Each throws a
// MetricsWiringError naming the recorder, the mistake and the fix; none runs on the hot path.
import { type ErrorHandler, MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import {
  optionalArray,
  optionalClock,
  optionalFunction,
  optionsObject,
  readOption,
} from '../internal/option-checks.js';
import { assertValidMetricName } from '../metrics/name.js';
import type { Metric } from '../metrics/types.js';
import type { OverflowPolicy, RecorderOptions, RecorderState } from './types.js';

/** Default bound of a recorder's pending-event buffer (`maxPendingEvents`). */
export const DEFAULT_MAX_PENDING_EVENTS = 65_536;

/** A recorder's options after the wiring-time checks, each read once. */
export interface CheckedRecorderOptions {
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  readonly metrics: readonly Metric[];
  readonly scheduler: unknown;
  readonly onError: ErrorHandler | undefined;
  readonly clock: (() => number) | undefined;
}

/** A recorder's name and options, checked and defaulted. */
export function checkRecorderOptions(name: string, raw: RecorderOptions): CheckedRecorderOptions {
  if (typeof name !== 'string' || name.length === 0) {
    throw new MetricsWiringError(
      'invalid-recorder-name',
      `Recorder name must be a non-empty string, got ${describeValue(name)}.`,
    );
  }
  const owner = { label: `Recorder "${name}"` };
  const options = optionsObject(owner, raw);
  const given = readOption(owner, options, 'maxPendingEvents');
  const capacity = given === undefined ? DEFAULT_MAX_PENDING_EVENTS : given;
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1) {
    throw new MetricsWiringError(
      'invalid-option',
      `Recorder "${name}": maxPendingEvents must be a positive integer, got ${describeValue(capacity)}.`,
    );
  }
  const policy = readOption(owner, options, 'overflow');
  const overflow = policy === undefined ? 'drop-newest' : policy;
  if (overflow !== 'drop-newest' && overflow !== 'drop-oldest') {
    throw new MetricsWiringError(
      'invalid-option',
      `Recorder "${name}": overflow must be 'drop-newest' or 'drop-oldest', got ${describeValue(overflow)}.`,
    );
  }
  return {
    capacity,
    overflow,
    metrics: (optionalArray(owner, options, 'metrics') ?? []) as Metric[],
    scheduler: readOption(owner, options, 'scheduler'),
    onError: optionalFunction<ErrorHandler>(owner, options, 'onError'),
    clock: optionalClock(owner, options),
  };
}

/** What the ownership check needs to know of a recorder. */
interface Owner {
  readonly name: string;
  readonly state: RecorderState;
}

// A metric instance belongs to one live recorder: sharing one would merge two scopes' state.
const owners = new WeakMap<Metric, Owner>();

/**
 * Checks that `metric` may join `recorder`, whose metrics so far are `metrics` (a real metric, a
 * valid name not taken in this recorder, not owned by another live recorder), then records
 * `recorder` as its owner.
 */
export function claimMetric(recorder: Owner, metrics: readonly Metric[], metric: Metric): void {
  if (
    metric === null ||
    typeof metric !== 'object' ||
    typeof metric.handleEvent !== 'function' ||
    typeof metric.snapshot !== 'function'
  ) {
    throw new MetricsWiringError(
      'invalid-metric-options',
      `Recorder "${recorder.name}": addMetric needs an object with name, handleEvent(event) and snapshot().`,
    );
  }
  assertValidMetricName(metric.name);
  if (metrics.some((m) => m.name === metric.name)) {
    throw new MetricsWiringError(
      'duplicate-metric',
      `Recorder "${recorder.name}" already has a metric named "${metric.name}": give each metric of a recorder its own name.`,
    );
  }
  const owner = owners.get(metric);
  if (owner !== undefined && owner !== recorder && owner.state !== 'stopped') {
    throw new MetricsWiringError(
      'duplicate-metric',
      `Metric "${metric.name}" already belongs to recorder "${owner.name}" and cannot join recorder "${recorder.name}" too: pass a factory (\`metrics: () => [...]\`) so each recorder gets its own instances.`,
    );
  }
  owners.set(metric, recorder);
}
