import { type ErrorHandler, MetricsError } from '@mvx-metrics/core';

/** Reports each problem kind once to the bridge's error handler; a throwing handler is contained. */
export class Reporter {
  private readonly seen = new Set<string>();

  constructor(private readonly handler: ErrorHandler) {}

  once(key: string, message: string, cause?: unknown): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    try {
      this.handler(
        new MetricsError('listener-failed', message, cause === undefined ? undefined : { cause }),
      );
    } catch {
      // a throwing error handler must not break a collection
    }
  }
}
