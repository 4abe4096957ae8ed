import type { ErrorHandler } from '../errors/index.js';
import type { OverflowPolicy } from '../internal/overflow.js';
import type { Metric } from '../metrics/types.js';
import type { SchedulerOption } from '../scheduler/scheduler.js';
import type { Attributes, MetricSnapshot } from '../snapshots/types.js';

export type { OverflowPolicy };

/** What a recorder does with an event that no metric selects: report the type once, or stay quiet. */
export type UnhandledEventsPolicy = 'report' | 'ignore';

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

/**
 * What a hook or batch listener sees of the recorder that fired it (`MetricsRecorder` implements
 * it). Narrow on purpose: types that name the recorder need not import its class.
 */
export interface RecorderView {
  readonly name: string;
  readonly state: RecorderState;
  registerEvent(event: object): void;
  getMetrics(): readonly Metric[];
  getMetricSnapshots(): MetricSnapshot[];
  stats(): RecorderStats;
  processPending(): void;
}

/** Payload of the post-change hook: fired after `metric` accepted `event`. */
export interface MetricChange<C = unknown> {
  readonly recorder: RecorderView;
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

/** How a change listener reads the changes it is handed. */
export interface ChangeListenerOptions {
  /**
   * `true`: the listener reads each change during its call only (it keeps at most
   * `copyChange(change)`), so the recorder may hand it one record reused for every change and
   * allocate nothing per change, as long as every listener of the recorder says so and no
   * `afterChange` override listens. Default `false`: every change is an object of its own, which
   * the listener may keep.
   */
  readonly transient?: boolean;
  /**
   * `true`: the listener is called only for changes whose event carried a context (the runtime's
   * context capturer returned something other than `undefined` when it was registered). While
   * every listener says so and no `afterChange` override listens, an event registered without a
   * context costs the recorder no change at all. Default `false`: every change.
   */
  readonly withContext?: boolean;
}

/** Fired once after each processing batch: where to coalesce work done per change. */
export type BatchListener = (recorder: RecorderView, processedInBatch: number) => void;

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
