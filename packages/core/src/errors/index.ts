/** Machine-readable reason carried by every {@link MetricsError}. */
export type MetricsErrorCode =
  // wiring time: thrown
  | 'invalid-metric-name'
  | 'invalid-metric-options'
  | 'duplicate-metric'
  | 'invalid-recorder-name'
  | 'recorder-name-taken'
  | 'runtime-shut-down'
  | 'invalid-option'
  | 'unknown-recorder'
  | 'invalid-handle'
  | 'exposure-closed'
  | 'no-ipc-channel'
  // test mode only (`detectKeptChanges`): thrown by a kept MetricChange when read
  | 'kept-change'
  // run time: counted and reported to the error handler, never thrown
  | 'invalid-event'
  | 'event-after-stop'
  | 'buffer-full'
  | 'invalid-value'
  | 'negative-increment'
  | 'cardinality-limit'
  | 'metric-failed'
  | 'listener-failed'
  | 'processing-failed'
  | 'scheduler-task-failed'
  | 'context-capture-failed'
  | 'event-not-cloneable'
  | 'worker-events-lost'
  | 'primary-gone'
  | 'unhandled-event-type'
  | 'dispatch-index-full'
  | 'shutdown-timeout'
  | 'flush-timeout'
  // run time, reported by @mvx-metrics/otel-bridge (its `OtelBridgeError`), never thrown
  | 'export-failed'
  | 'export-partial'
  | 'hook-failed'
  | 'snapshot-failed'
  | 'invalid-point'
  | 'attribute-shadowed'
  | 'name-clash'
  | 'merge-conflict'
  | 'unknown-kind';

/** Base class of every error this library creates; `code` says which mistake it is. */
export class MetricsError extends Error {
  readonly code: MetricsErrorCode;

  constructor(code: MetricsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetricsError';
    this.code = code;
  }
}

/** A wiring mistake (bad name, duplicate, recorder after shutdown): thrown when the wiring runs. */
export class MetricsWiringError extends MetricsError {
  constructor(code: MetricsErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'MetricsWiringError';
  }
}

/** Receives run-time problems (bad input, throwing metrics); never called on the producer's stack for metric failures. */
export type ErrorHandler = (error: MetricsError) => void;

/** Default handler: one warning line per reported problem (the recorder reports each kind once). */
export const defaultErrorHandler: ErrorHandler = (error) => {
  console.warn(`[mvx-metrics] ${error.message}`);
};
