import type { MessagePort } from 'node:worker_threads';
import { defaultErrorHandler, type MetricsErrorCode } from '../errors/index.js';
import { BatchEncoder } from '../events/batch-encoder.js';
import { describeEvent } from '../events/selector.js';
import { describeValue } from '../internal/attributes.js';
import { BoundedQueue } from '../internal/bounded-queue.js';
import { overflowStrategy } from '../internal/buffer-options.js';
import { FlushWaiters } from '../internal/flush-waiters.js';
import { isEvent } from '../internal/is-event.js';
import { errorMessage, OnceReporter } from '../internal/once-reporter.js';
import type { OverflowPolicy } from '../internal/overflow.js';
import { CLOSED, DROPPED, RECEIVED, REGISTERED, REJECTED, UNCLONEABLE } from './protocol.js';
import type { ConnectRecorderOptions, RecorderHandle, WorkerRecorderStats } from './types.js';

/**
 * The recorder-facing side of a {@link RecorderHandle}, inside a worker: the same
 * `registerEvent` contract as `MetricsRecorder` (short synchronous handoff, never throws), with
 * events sent to the owning thread in batches.
 */
export class WorkerRecorder {
  /** Name of the owning recorder. */
  readonly name: string;
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  readonly batchSize: number;

  private readonly port: MessagePort;
  private readonly shared: Uint32Array;
  private readonly reporter: OnceReporter;

  // Unsent events. Its limit is the capacity minus what is in flight, as last known: refreshed
  // from the shared counters when reached, lowered by what each send puts in flight.
  private readonly queue: BoundedQueue;
  // Batches cross as columns of primitives (events/batch-format.ts): the owning thread's
  // structured clone of them costs a fraction of an array of event objects'. With runs: the
  // owning side of this handle version reads them.
  private readonly encoder = new BatchEncoder({ runs: true });
  private scheduled = false;
  private closed = false;

  private registered = 0;
  private sent = 0;
  private uncloneable = 0;
  private rejected = 0;
  private lost = 0;

  private readonly waiters = new FlushWaiters();
  private nextFlush = 1;

  /** Use `connectRecorder(handle)`, which validates the handle first. */
  constructor(handle: RecorderHandle, options: ConnectRecorderOptions = {}) {
    this.name = handle.recorder;
    this.capacity = handle.maxPendingEvents;
    this.overflow = handle.overflow;
    this.batchSize = handle.batchSize;
    this.port = handle.port;
    this.shared = new Uint32Array(handle.counters);
    this.reporter = new OnceReporter(options.onError ?? defaultErrorHandler);
    const strategy = overflowStrategy(handle.overflow);
    this.queue = new BoundedQueue({
      capacity: this.capacity,
      overflow: strategy,
      onDrop: () => this.drop(strategy.loses),
    });
    this.port.on('message', this.onMessage);
    this.port.on('close', this.onClose);
    // Only a pending flush keeps the worker alive (see flush()); batches ride on setImmediate.
    this.port.unref();
  }

  /**
   * Buffers `event` for the owning thread: O(1), never throws. A full batch is posted at once,
   * a partial one on the next `setImmediate`. Full (buffered + in flight = capacity): dropped per
   * the overflow policy and counted.
   */
  registerEvent(event: object): void {
    if (!isEvent(event)) {
      this.reject(event, 'invalid-event');
      return;
    }
    if (this.closed) {
      this.reject(event, 'event-after-stop');
      return;
    }
    Atomics.store(this.shared, REGISTERED, ++this.registered);
    const queue = this.queue;
    if (queue.size >= queue.room) {
      // The limit was reached: what was in flight may have arrived since.
      if (queue.size >= queue.limit) queue.setLimit(this.capacity - this.inFlight());
      if (queue.size >= queue.room && !queue.makeRoom()) return;
    }
    queue.push(event);
    if (queue.size >= this.batchSize) {
      this.send();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.sendLater);
    }
  }

  /** Resolves once the owning thread has processed every event registered here before the call. */
  flush(): Promise<void> {
    this.send();
    if (this.closed) return Promise.resolve();
    const id = this.nextFlush++;
    if (this.waiters.size === 0) this.port.ref();
    const flushed = this.waiters.wait(id);
    this.port.postMessage(id);
    return flushed;
  }

  /**
   * Sends what is buffered and closes the connection; later calls are rejected. Pending flushes
   * resolve. Idempotent. A worker that simply ends also sends what it buffered (the send is
   * scheduled), but `close()` (or `await flush()`) is explicit.
   */
  close(): void {
    if (this.closed) return;
    this.send();
    this.markClosed();
    this.port.close();
  }

  /** Counters; `registered = sent + dropped + uncloneable + lost + pending`. */
  stats(): WorkerRecorderStats {
    return {
      registered: this.registered,
      sent: this.sent,
      dropped: this.dropped(),
      uncloneable: this.uncloneable,
      rejected: this.rejected,
      lost: this.lost,
      pending: this.queue.size,
      inFlight: this.closed ? 0 : this.inFlight(),
      capacity: this.capacity,
    };
  }

  private readonly sendLater = (): void => {
    this.scheduled = false;
    this.send();
  };

  // The buffer is emptied before posting, so whatever happens below must account for every
  // event of the batch: sent or uncloneable, even if something unforeseen throws.
  private send(): void {
    const size = this.queue.size;
    if (size === 0) return;
    const accounted = this.sent + this.uncloneable + this.lost;
    try {
      this.sendBatch(size);
    } catch (error) {
      // Counted as not sendable in the counter both threads share, so the owner's books balance too.
      const missing = size - (this.sent + this.uncloneable + this.lost - accounted);
      if (missing > 0) {
        this.uncloneable += missing;
        Atomics.store(this.shared, UNCLONEABLE, this.uncloneable);
      }
      this.reporter.once(
        'send-failed',
        'event-not-cloneable',
        `Worker recorder "${this.name}" could not send ${missing} events: ${errorMessage(error)}. Counted in stats().uncloneable.`,
        error,
      );
    }
  }

  private sendBatch(size: number): void {
    const queue = this.queue;
    const batch = queue.takeAll();
    // Unlike a recorder's queue, this one empties every batch: a ring grown by a flood of
    // drop-oldest evictions is given back at once.
    if (queue.oversized) queue.shrink();
    if (this.closed || Atomics.load(this.shared, CLOSED) === 1) {
      this.markClosed();
      this.lost += size;
      return;
    }
    try {
      this.port.postMessage(this.encoder.encode(batch));
      this.sent += size;
      queue.setLimit(queue.limit - size);
    } catch (error) {
      this.sendCloneable(batch, error);
    }
  }

  // postMessage refused the batch: one event cannot be cloned. Find which, send the rest.
  private sendCloneable(batch: object[], error: unknown): void {
    const good: object[] = [];
    for (const event of batch) {
      try {
        structuredClone(event);
        good.push(event);
      } catch (cloneError) {
        this.refuse(event, cloneError);
      }
    }
    if (good.length === batch.length) {
      // Every event clones alone: the failure was not about an event; count the batch as refused.
      for (const event of batch) this.refuse(event, error);
      return;
    }
    if (good.length === 0) return;
    try {
      this.port.postMessage(this.encoder.encode(good));
      this.sent += good.length;
      this.queue.setLimit(this.queue.limit - good.length);
    } catch (retryError) {
      for (const event of good) this.refuse(event, retryError);
    }
  }

  private refuse(event: object, error: unknown): void {
    Atomics.store(this.shared, UNCLONEABLE, ++this.uncloneable);
    this.reportOnce(
      'event-not-cloneable',
      `Worker recorder "${this.name}" cannot send event ${describeEvent(event)} to the owning thread: ${errorMessage(error)}. Events are structured-cloned: use plain data (no functions, symbols or class-only state). Counted in stats().uncloneable.`,
    );
  }

  private inFlight(): number {
    return (this.sent - Atomics.load(this.shared, RECEIVED)) >>> 0;
  }

  private dropped(): number {
    return this.queue.refused + this.queue.evicted;
  }

  private drop(loses: string): void {
    Atomics.store(this.shared, DROPPED, this.dropped());
    // Drops come in floods: skip building the message once it has been reported.
    if (this.reporter.has('buffer-full')) return;
    this.reportOnce(
      'buffer-full',
      `Worker recorder "${this.name}" is full (${this.capacity} events buffered or in flight); dropping the ${loses} events. Counted in stats().dropped.`,
    );
  }

  private reject(event: unknown, code: 'invalid-event' | 'event-after-stop'): void {
    Atomics.store(this.shared, REJECTED, ++this.rejected);
    // Rejections come in floods on the producer's stack: build the message only once.
    if (this.reporter.has(code)) return;
    this.reportOnce(
      code,
      code === 'invalid-event'
        ? `Worker recorder "${this.name}" rejected ${describeValue(event)}: an event must be a non-null object. Counted in stats().rejected.`
        : `Worker recorder "${this.name}" is closed and rejected event ${describeEvent(event)}. Counted in stats().rejected.`,
    );
  }

  private readonly onMessage = (message: unknown): void => {
    if (typeof message !== 'number') return;
    this.waiters.settle(message);
    if (this.waiters.size === 0) this.port.unref();
  };

  private readonly onClose = (): void => {
    if (this.closed) return;
    // The owning side closed (shutdown): what is still buffered will never arrive.
    this.lost += this.queue.size;
    this.queue.takeAll();
    this.markClosed();
  };

  private markClosed(): void {
    this.closed = true;
    this.waiters.settleAll();
    this.port.unref();
  }

  private reportOnce(code: MetricsErrorCode, message: string): void {
    this.reporter.once(code, code, message);
  }
}
