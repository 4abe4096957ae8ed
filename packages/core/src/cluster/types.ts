import type { ErrorHandler } from '../errors/index.js';
import type { OverflowPolicy } from '../recorder/types.js';

/** Options of {@link connectToPrimary}. */
export interface ClusterRecorderOptions {
  /** Bound of events buffered in this process plus those written to the channel but not yet delivered (default 65 536). */
  maxPendingEvents?: number;
  /** What a full buffer does (default `'drop-newest'`). */
  overflow?: OverflowPolicy;
  /** Most events per message (default 2 048). A full batch is sent at once; a partial one on the next `setImmediate`. */
  batchSize?: number;
  /**
   * How long `flush()` waits for the primary's answer before it resolves anyway, reported once
   * (`flush-timeout`) and counted (default 10 000 ms; `Infinity` waits as long as it takes).
   */
  flushTimeoutMs?: number;
  /** Receives problems in this process (an event that cannot be serialised, a full buffer, the primary gone); default: one `console.warn` line per kind. */
  onError?: ErrorHandler;
}

/**
 * Counters of a recorder in a worker process. Invariant:
 * `registered = sent + dropped + unserialisable + lost + pending`; `rejected` is outside `registered`.
 */
export interface ClusterRecorderStats {
  registered: number;
  /** Events handed to the IPC channel. */
  sent: number;
  /** Events dropped by the full buffer, and every event registered after the primary went away. */
  dropped: number;
  /** Events the channel could not serialise (a BigInt, a cycle; a function with `serialization: 'advanced'`). */
  unserialisable: number;
  /** Calls refused outright (not an object, or after `close()`). */
  rejected: number;
  /** Events buffered here when the channel to the primary closed (never sent). */
  lost: number;
  /** Events buffered here, not yet sent. */
  pending: number;
  /** Events in messages the channel has not finished writing (part of `sent`). */
  inFlight: number;
  capacity: number;
  /** `flush()` calls that resolved because the primary did not answer in time. */
  flushesTimedOut: number;
}

/** Options of {@link createClusterPrimary}. */
export interface ClusterPrimaryOptions {
  /**
   * When set, every event from a worker gets this property, set to the worker's label (see
   * {@link ClusterPrimary.attach}), before the primary's recorder sees it; a metric's
   * `attributes` can then split series per worker. Default: none, so a series sums every worker
   * and a replacement worker continues it.
   */
  workerProperty?: string;
  /**
   * Turns an event as it crossed the channel (plain data: JSON by default, so no class) back into
   * what the primary's metrics select, e.g. a class instance by its `type`. Runs on the primary
   * for every event, before `workerProperty` is set. A revive that throws is reported once and
   * the plain event is registered. Default: none (select events by `type` string).
   */
  revive?: (event: object, recorder: string) => object;
  /**
   * The most recorder names one worker may send events for (default 10 000). The primary keeps
   * a few counters per worker and name; a worker that sends events for ever new names (a bug, or
   * names built from input) would grow them without bound. Messages for a name beyond the bound
   * are refused: their events are counted in `stats().refused` (outside `registered`), exported
   * as `cluster.events{outcome="refused"}` and reported once per worker (`cardinality-limit`).
   * The same bound caps the unknown names the primary remembers to report each once.
   */
  maxRecorderNames?: number;
  /** Receives problems such as events a dead worker never delivered. Default: one `console.warn` line per problem; `runtime.clusterPrimary()` passes the runtime's handler. */
  onError?: ErrorHandler;
}

/** Options of {@link ClusterPrimary.attach}. */
export interface AttachWorkerOptions {
  /** The worker's label in stats, errors and `workerProperty` (default: its pid). Give a replacement the label of the worker it replaces to continue per-worker series. */
  label?: string;
}

/**
 * Counters of the primary, summed over every worker (attached ever); invariant
 * `registered = received + dropped + unserialisable + inFlight + lost`.
 */
export interface ClusterPrimaryStats {
  /** Workers attached. */
  workers: number;
  /** Workers whose channel is still open. */
  connected: number;
  /** Events the workers announced as registered (their last counters to arrive). */
  registered: number;
  /** Events received and handed to a recorder of the primary's runtime. */
  received: number;
  /** Events the workers' full buffers dropped (and events registered after the primary went away, as far as announced). */
  dropped: number;
  /** Events a worker could not serialise. */
  unserialisable: number;
  /** Calls the workers refused outright; outside `registered`. */
  rejected: number;
  /** Connected workers: announced events not received yet (still buffered in a worker or in the channel). */
  inFlight: number;
  /** Disconnected workers: announced events that never arrived (the worker died first). */
  lost: number;
  /** Part of `received`: events for a recorder the primary's runtime does not have, registered nowhere (reported once per name). */
  unknownRecorder: number;
  /** Messages received. */
  batches: number;
  /** Events in messages for a recorder name beyond `maxRecorderNames`: registered nowhere, outside `registered`. */
  refused: number;
}

/** One worker's counters in {@link ClusterPrimary.workerStats}. */
export interface ClusterWorkerStats extends Omit<ClusterPrimaryStats, 'workers' | 'connected'> {
  label: string;
  /** Recorder names this worker has books for (at most `maxRecorderNames`). */
  recorderNames: number;
  pid: number | undefined;
  connected: boolean;
}
