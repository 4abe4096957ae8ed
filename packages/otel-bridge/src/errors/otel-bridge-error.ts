import { MetricsError, type MetricsErrorCode } from '@mvx-metrics/core';

/** The problems the bridge reports to `onError`, each under its own code. */
export type OtelBridgeErrorCode = Extract<
  MetricsErrorCode,
  | 'export-failed'
  | 'export-partial'
  | 'invalid-option'
  | 'hook-failed'
  | 'snapshot-failed'
  | 'invalid-point'
  | 'attribute-shadowed'
  | 'name-clash'
  | 'merge-conflict'
  | 'unknown-kind'
>;

/**
 * A problem the bridge found while mirroring or exporting; `code` tells which one
 * (`export-failed`, `export-partial` (a collector rejected part of an export), `invalid-option` (an invalid `OTEL_*` value), `hook-failed`, `snapshot-failed`, `invalid-point`, `attribute-shadowed`,
 * `name-clash`, `merge-conflict`, `unknown-kind`). A {@link MetricsError}, so one `onError`
 * receives core's and the bridge's problems alike.
 *
 * @example
 * attachOtelBridge(runtime, {
 *   onError: (error) => {
 *     if (error instanceof OtelBridgeError && error.code === 'unknown-kind') alert(error.message);
 *   },
 * });
 */
export class OtelBridgeError extends MetricsError {
  declare readonly code: OtelBridgeErrorCode;

  constructor(code: OtelBridgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'OtelBridgeError';
  }
}
