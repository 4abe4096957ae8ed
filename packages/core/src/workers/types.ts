import type { MessagePort } from 'node:worker_threads';
import type { ErrorHandler } from '../errors/index.js';
import type { OverflowPolicy } from '../recorder/types.js';

/**
 * What a worker needs to reach a recorder of the owning thread: a plain, structured-cloneable
 * object. Pass it in `workerData` (or a message) and put `handle.port` in the transfer list.
 * One handle serves one worker (a `MessagePort` has exactly one owner).
 */
export interface RecorderHandle {
  readonly kind: 'mvx-metrics.recorder-handle';
  readonly version: 3;
  /** Name of the owning recorder. */
  readonly recorder: string;
  /** The worker's end of the connection; must be listed in the transfer list. */
  readonly port: MessagePort;
  /** Shared u32 counters (registered, dropped, ... in the worker; received on the owning side). */
  readonly counters: SharedArrayBuffer;
  /** Bound of the worker-side buffer plus the events sent but not yet received. */
  readonly maxPendingEvents: number;
  readonly overflow: OverflowPolicy;
  /** Events per batch message. */
  readonly batchSize: number;
}

/** Options of {@link ExposedRecorder.handle}; defaults come from the owning recorder. */
export interface RecorderHandleOptions {
  /** Default: the owning recorder's `capacity`. Counts events buffered in the worker plus those in flight. */
  maxPendingEvents?: number;
  /** Default: the owning recorder's policy. */
  overflow?: OverflowPolicy;
  /** Events per batch message (default 512). A full batch is sent at once; a partial one on the next `setImmediate`. */
  batchSize?: number;
}

/** Options of {@link createExposedRecorder}. */
export interface ExposeRecorderOptions {
  /** Receives problems such as events lost when a worker dies. Default: one `console.warn` line per problem; `runtime.exposeRecorder` passes the runtime's handler. */
  onError?: ErrorHandler;
}

/**
 * Counters of an exposed recorder, summed over every worker connection, with the invariant
 * `registered = received + dropped + uncloneable + inFlight + lost`.
 */
export interface ExposedRecorderStats {
  /** Handles created. */
  connections: number;
  /** Connections still open. */
  open: number;
  /** Events accepted by worker-side `registerEvent` calls. */
  registered: number;
  /** Events that reached the owning thread and were handed to the recorder's `registerEvent`. */
  received: number;
  /** Events dropped by full worker-side buffers (per their overflow policy). */
  dropped: number;
  /** Events that could not be structured-cloned (a function property, ...). */
  uncloneable: number;
  /** Worker-side calls refused outright (not an object, or after close); outside `registered`. */
  rejected: number;
  /** Open connections: events buffered in a worker or in transit. */
  inFlight: number;
  /** Closed connections: events a worker registered that never arrived (it exited or crashed before sending them). */
  lost: number;
  /** Batch messages received. */
  batches: number;
}

/** Options of {@link connectRecorder}. */
export interface ConnectRecorderOptions {
  /** Receives problems in the worker (uncloneable event, full buffer); default: one `console.warn` line per kind. */
  onError?: ErrorHandler;
}

/**
 * Counters of a worker-side recorder. Invariant: `registered = sent + dropped + uncloneable + lost + pending`.
 * `rejected` (not an object, or after close) is outside `registered`.
 */
export interface WorkerRecorderStats {
  registered: number;
  /** Events posted to the owning thread. */
  sent: number;
  dropped: number;
  uncloneable: number;
  rejected: number;
  /** Events still buffered here when the owning side closed the connection (never sent). */
  lost: number;
  /** Events buffered in this worker, not yet sent. */
  pending: number;
  /** Events sent that the owning thread has not yet received (read from the shared counters). */
  inFlight: number;
  capacity: number;
}
