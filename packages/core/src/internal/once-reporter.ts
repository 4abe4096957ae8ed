import { describeError } from '../errors/describe-error.js';
import { type ErrorHandler, MetricsError, type MetricsErrorCode } from '../errors/index.js';

/**
 * Reports each kind of run-time problem once to an error handler: a hot loop that keeps failing
 * must not flood the log, and a handler that throws must never reach the producer's stack.
 */
export class OnceReporter {
  private readonly seen = new Set<string>();

  constructor(public handler: ErrorHandler) {}

  /** Reports `code` with `message` unless a problem under `key` was already reported. */
  once(key: string, code: MetricsErrorCode, message: string, cause?: unknown): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.report(new MetricsError(code, message, cause === undefined ? undefined : { cause }));
  }

  /** Whether a problem under `key` was reported already (lets a hot caller skip building the message). */
  has(key: string): boolean {
    return this.seen.has(key);
  }

  /** Hands `error` to the handler, containing a throwing handler. */
  report(error: MetricsError): void {
    try {
      this.handler(error);
    } catch {
      // An error handler that throws must not take its caller down with it.
    }
  }
}

/** The message of a thrown value, whatever was thrown; never throws (see {@link describeError}). */
export const errorMessage: (error: unknown) => string = describeError;
