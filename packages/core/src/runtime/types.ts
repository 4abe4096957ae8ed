import type { ErrorHandler } from '../errors/index.js';
import type { Metric } from '../metrics/types.js';
import type { MetricsRecorder } from '../recorder/metrics-recorder.js';
import type { OverflowPolicy, UnhandledEventsPolicy } from '../recorder/types.js';
import type { SchedulerOption } from '../scheduler/scheduler.js';

/** Options of {@link MetricsRuntime}. */
export interface MetricsRuntimeOptions {
  /** Prefix of every exported instrument (`${namespace}.${metric.name}`); OTel instrument-name syntax. */
  namespace: string;
  /** Default buffer bound of each recorder (65 536). */
  maxPendingEvents?: number;
  /** Default overflow policy of each recorder (`'drop-newest'`). */
  overflow?: OverflowPolicy;
  /** `'immediate'` (default, time-budgeted `setImmediate` batches), `'sync'` (tests), or your own. */
  scheduler?: SchedulerOption;
  /** Receives run-time problems; default: one `console.warn` line per kind. */
  onError?: ErrorHandler;
  /** Monotonic milliseconds (default `performance.now`). */
  clock?: () => number;
  /** Default of each recorder: `'report'` an event type no metric selects (once per type), or `'ignore'`. */
  unhandledEvents?: UnhandledEventsPolicy;
}

/** Options of {@link MetricsRuntime.createRecorder}. */
export interface CreateRecorderOptions {
  /** The recorder's metrics, or a factory called with the recorder's name so each scope gets its own instances. */
  metrics?: readonly Metric[] | ((scope: string) => readonly Metric[]);
  maxPendingEvents?: number;
  overflow?: OverflowPolicy;
  /** Overrides the runtime's `unhandledEvents` for this recorder. */
  unhandledEvents?: UnhandledEventsPolicy;
}

/** Called with a recorder when it joins or leaves the runtime. */
export type RecorderListener = (recorder: MetricsRecorder) => void;

/**
 * A runtime's lifecycle: `'initializing'` after construction, `'running'` after `start()`,
 * `'draining'` while `shutdown()` drains, then `'drained'`, or `'failed'` when the drain could not
 * finish within its timeout (what was left is counted as dropped).
 */
export type RuntimeState = 'initializing' | 'running' | 'draining' | 'drained' | 'failed';

/** Called on every lifecycle transition with the new state and the one before it. */
export type StateListener = (state: RuntimeState, previous: RuntimeState) => void;

/** Options of {@link MetricsRuntime.shutdown}. */
export interface ShutdownOptions {
  /**
   * How long the drain may take (default 10 000 ms; `Infinity` waits as long as it takes). Events
   * still pending then are discarded, counted in their recorder's `stats().dropped` and reported
   * (`shutdown-timeout`); the runtime ends `'failed'` and the promise resolves.
   */
  timeoutMs?: number;
}
