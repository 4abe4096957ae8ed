/**
 * What `roomFor` reads of a recorder (a `MetricsRecorder`; named by shape so that `internal/`, the
 * bottom layer, imports nothing from `recorder/`).
 */
export interface BufferedRecorder {
  readonly state: string;
  stats(): { readonly pending: number; readonly capacity: number };
  processPending(): unknown;
}

/**
 * How many more events `recorder` takes before its buffer is full, after processing what is
 * pending when `wanted` would not fit. For a burst another thread or process already admitted
 * under its own bound (a worker's batch, several batches handed over in one callback): registered
 * without a look at the room, events beyond it are dropped by the recorder's overflow policy
 * although the recorder could process its pending events first, even when one batch is larger
 * than its whole buffer. Callers register up to the room, then ask again for the rest.
 * `Infinity` when there is nothing to gain by processing (not running, or no room even after
 * processing, as when called from a hook during processing): the overflow policy decides then.
 */
export function roomFor(recorder: BufferedRecorder, wanted: number): number {
  if (recorder.state !== 'running') return Number.POSITIVE_INFINITY;
  const { pending, capacity } = recorder.stats();
  if (pending + wanted <= capacity) return capacity - pending;
  recorder.processPending();
  const room = capacity - recorder.stats().pending;
  return room > 0 ? room : Number.POSITIVE_INFINITY;
}
