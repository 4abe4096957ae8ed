import type { ErrorHandler } from '../errors/index.js';
import type { Metric } from '../metrics/types.js';
import type { SchedulerOption } from '../scheduler/scheduler.js';
import type { Attributes } from '../snapshots/types.js';
import type { UnhandledEventsPolicy } from './dispatch-index.js';
import type { MetricsRecorder } from './metrics-recorder.js';

/** What happens to an event registered while the buffer is full. */
export type OverflowPolicy = 'drop-newest' | 'drop-oldest';

/** `created → running → stopping → stopped`. */
export type RecorderState = 'created' | 'running' | 'stopping' | 'stopped';

/** Returns the ambient context (e.g. the active OTel context) to carry with an event. */
export type ContextCapture = () => unknown;

/** Options of a recorder; those a runtime sets are inherited from it. */
export interface RecorderOptions {
  metrics?: readonly Metric[];
  /** Bound of the pending-event buffer (default 65 536). */
  maxPendingEvents?: number;
  /** Default `'drop-newest'`. */
  overflow?: OverflowPolicy;
  /** Default `'immediate'`: a scheduler of the recorder's own. A runtime shares one among its recorders. */
  scheduler?: SchedulerOption;
  onError?: ErrorHandler;
  /**
   * `'report'` (default): an event type that no metric selects is reported once, code
   * `unhandled-event-type`. `'ignore'`: for a recorder that ignores events on purpose.
   */
  unhandledEvents?: UnhandledEventsPolicy;
  /** Monotonic milliseconds, used for time budgets (default `performance.now`). */
  clock?: () => number;
}

/** Payload of the post-change hook: fired after `metric` accepted `event`. */
export interface MetricChange<C = unknown> {
  readonly recorder: MetricsRecorder;
  readonly metric: Metric;
  readonly event: object;
  /** What the context capturer returned at `registerEvent` time; `undefined` without one. */
  readonly context: C;
  /**
   * The point the event changed (shared with the metric's state: never mutate). `undefined` when a
   * hand-written metric does not fill in the `MetricUpdate` it was passed.
   */
  readonly attributes: Readonly<Attributes> | undefined;
  /** The increment, delta, gauge value or observation applied; `undefined` as for `attributes`. */
  readonly value: number | undefined;
}

/** Fired after every accepted event (after `afterChange`). */
export type ChangeListener = (change: MetricChange) => void;

/** Fired once after each processing batch: where to coalesce work done per change. */
export type BatchListener = (recorder: MetricsRecorder, processedInBatch: number) => void;

/**
 * Counters of a recorder. Invariant: `registered = processed + dropped + pending`.
 * `accepted + ignored = processed` (accepted: at least one metric took the event).
 * `failed` counts metric or hook calls that threw; `rejected` counts calls refused outright
 * (not an object, or after stop), outside `registered`.
 */
export interface RecorderStats {
  registered: number;
  processed: number;
  accepted: number;
  ignored: number;
  dropped: number;
  failed: number;
  rejected: number;
  pending: number;
  capacity: number;
}
