import type { RecorderStats, RuntimeState } from '@mvx-metrics/core';
import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import type { RecorderMirror } from '../mirror/recorder-mirror.js';
import type { SelfAttributes } from '../telemetry/self-telemetry.js';

/**
 * One recorder as one collection sees it: its mirror, its `stats()` read once (after pending
 * events were processed) and its self-telemetry attribute sets, built once when it was attached.
 */
export interface RecorderReading {
  readonly mirror: RecorderMirror;
  readonly stats: RecorderStats;
  readonly self: SelfAttributes;
}

/** Where a collection gets fresh readings of every attached recorder. */
export interface ReadingSource {
  /**
   * Processes pending events, then reads each recorder once. On the instruments path the batch
   * callbacks of one collection run in one synchronous pass and share one reading.
   */
  freshReadings(): readonly RecorderReading[];
  /** The runtime's state and the `mvx.runtime.state` attribute sets; `undefined` for a bare recorder. */
  runtimeState():
    | { readonly state: RuntimeState; readonly attributes: readonly OtelAttributes[] }
    | undefined;
}
