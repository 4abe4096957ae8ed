// The wire between an exposed recorder (owning thread) and a worker-side client. Private.
//
// Messages, worker → owner: an object = a batch of events in the compact form of
// events/batch-format.ts (`{ s, k, v, e }`; version 1 sent an array of events); a number = a
// flush request id.
// Messages, owner → worker: a number = the flush request id that is now complete.
// Both ends also share a small SharedArrayBuffer of u32 counters (below), so the owning side can
// count exactly what a worker registered even after the worker crashed, and the worker can see
// how much of what it sent has arrived (its credit) without a message round trip.

/** Marks a plain object as a recorder handle (handles are structured-cloned, so no `instanceof`). */
export const HANDLE_KIND = 'mvx-metrics.recorder-handle';
/**
 * Wire version of the handle; a handle from another version of the library is refused (both ends
 * of a connection then speak the same batch form). 3: batches with runs (events/batch-format.ts).
 */
export const HANDLE_VERSION = 3;

// Slots of the shared Uint32Array. Each slot has exactly one writer; values wrap at 2^32 and
// readers accumulate differences (see `WrappingCounter`), so long-lived workers stay exact.
/** Worker: events accepted by the worker-side `registerEvent` (its `registered`). */
export const REGISTERED = 0;
/** Worker: events dropped by the worker's bounded buffer. */
export const DROPPED = 1;
/** Worker: events that could not be structured-cloned. */
export const UNCLONEABLE = 2;
/** Worker: calls refused outright (not an object, or after close). */
export const REJECTED = 3;
/** Owner: events received and handed to the owning recorder. */
export const RECEIVED = 4;
/** Owner: 1 once the owning side closed the connection. */
export const CLOSED = 5;
/** Length of the shared counter array. */
export const SLOTS = 6;

/** Default number of events per batch message. */
export const DEFAULT_BATCH_SIZE = 512;

/** Reads a u32 slot that wraps at 2^32 and returns the full count, given it is read at least once per 2^32 increments. */
export class WrappingCounter {
  private last = 0;
  private total = 0;

  constructor(
    private readonly shared: Uint32Array,
    private readonly slot: number,
  ) {}

  read(): number {
    const now = Atomics.load(this.shared, this.slot);
    this.total += (now - this.last) >>> 0;
    this.last = now;
    return this.total;
  }
}
