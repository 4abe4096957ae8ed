// What a recorder reports to its error handler, each kind once: the messages name the recorder,
// the culprit and the fix. Kept apart from the recorder so its hot paths stay short to read.
import type { ErrorHandler } from '../errors/index.js';
import { describeEvent } from '../events/index.js';
import { describeValue } from '../internal/attributes.js';
import { errorMessage, OnceReporter } from '../internal/once-reporter.js';
import type { Metric } from '../metrics/types.js';

/** Refusals counted in `stats().rejected`. */
export type RejectionCode = 'invalid-event' | 'event-after-stop';

/** The run-time problems of one recorder, each reported once per kind (and per metric or listener). */
export class RecorderReports {
  readonly reporter: OnceReporter;

  constructor(
    private readonly recorderName: string,
    handler: ErrorHandler,
  ) {
    this.reporter = new OnceReporter(handler);
  }

  /** A metric's `handleEvent` threw. */
  metricFailed(metric: Metric, event: object, error: unknown): void {
    this.reporter.once(
      `metric:${metric.name}`,
      'metric-failed',
      `Metric "${metric.name}" in recorder "${this.recorderName}" threw on event ${describeEvent(event)}: ${errorMessage(error)}`,
      error,
    );
  }

  /** A metric's `snapshot()` threw. */
  snapshotFailed(metric: Metric, error: unknown): void {
    this.reporter.once(
      `snapshot:${metric.name}`,
      'metric-failed',
      `Metric "${metric.name}" in recorder "${this.recorderName}" threw from snapshot(): ${errorMessage(error)}`,
      error,
    );
  }

  /** `afterChange`, an `onChange` or an `onBatchEnd` listener threw. */
  listenerFailed(what: string, error: unknown): void {
    this.reporter.once(
      `listener:${what}`,
      'listener-failed',
      `A post-change ${what} of recorder "${this.recorderName}" threw: ${errorMessage(error)}`,
      error,
    );
  }

  /** The context capturer threw inside `registerEvent`. */
  captureFailed(error: unknown): void {
    this.reporter.once(
      'capture',
      'context-capture-failed',
      `The context capturer of recorder "${this.recorderName}" threw: ${errorMessage(error)}`,
      error,
    );
  }

  /** Something outside the contained calls failed while processing (a throwing clock, say). */
  processingFailed(error: unknown): void {
    this.reporter.once(
      'processing',
      'processing-failed',
      `Recorder "${this.recorderName}" failed while processing: ${errorMessage(error)}`,
      error,
    );
  }

  /** A scheduler of the user's own threw from `schedule()`. */
  scheduleFailed(error: unknown): void {
    this.reporter.once(
      'schedule',
      'scheduler-task-failed',
      `The scheduler of recorder "${this.recorderName}" threw from schedule(): ${errorMessage(error)}`,
      error,
    );
  }

  /** The buffer is full and the overflow policy lost an event (`loses`: which ones). */
  bufferFull(capacity: number, loses: string): void {
    // Drops come in floods on the producer's stack: build the message only once.
    if (this.reporter.has('full')) return;
    this.reporter.once(
      'full',
      'buffer-full',
      `Recorder "${this.recorderName}" is full (${capacity} pending events); dropping the ${loses} events. Drops are counted in stats().dropped; raise maxPendingEvents or make metrics cheaper.`,
    );
  }

  /** `registerEvent` refused `event` (`state`: the recorder's state then). */
  rejected(event: unknown, code: RejectionCode, state: string): void {
    // Rejections come in floods on the producer's stack: build the message only once.
    if (this.reporter.has(code)) return;
    const message =
      code === 'invalid-event'
        ? `Recorder "${this.recorderName}" rejected ${describeValue(event)}: an event must be a non-null object. Rejections are counted in stats().rejected.`
        : `Recorder "${this.recorderName}" is ${state} and rejected event ${describeEvent(event)}; rejections are counted in stats().rejected.`;
    this.reporter.once(code, code, message);
  }
}
