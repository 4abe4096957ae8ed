import type { ErrorHandler } from '@mvx-metrics/core';
import { OtelBridgeError, type OtelBridgeErrorCode } from '../errors/otel-bridge-error.js';
import { callContained } from './contain.js';

/** Reports each problem once to the bridge's error handler; a throwing handler is contained. */
export class Reporter {
  private readonly seen = new Set<string>();

  constructor(private readonly handler: ErrorHandler) {}

  /** Reports `code` with `message` unless a problem under `key` was reported already. */
  once(key: string, code: OtelBridgeErrorCode, message: string, cause?: unknown): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    callContained(
      this.handler,
      new OtelBridgeError(code, message, cause === undefined ? undefined : { cause }),
    );
  }
}
