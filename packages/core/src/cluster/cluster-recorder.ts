import { serialize } from 'node:v8';
import { defaultErrorHandler, type MetricsErrorCode } from '../errors/index.js';
import { BatchEncoder } from '../events/batch-encoder.js';
import { describeEvent } from '../events/selector.js';
import { describeValue } from '../internal/attributes.js';
import { BoundedQueue } from '../internal/bounded-queue.js';
import { overflowStrategy } from '../internal/buffer-options.js';
import { isEvent } from '../internal/is-event.js';
import { errorMessage, OnceReporter } from '../internal/once-reporter.js';
import type { OverflowPolicy } from '../internal/overflow.js';
import { IdleSweeper, type IdleTask } from '../scheduler/idle-sweeper.js';
import {
  type ChannelListeners,
  type ChannelMember,
  channelListeners,
} from './channel-listeners.js';
import { flushTimeout, PendingFlushes } from './pending-flushes.js';
import { type BatchMessage, type IpcChannel, isTagged, TAG } from './protocol.js';
import type { ClusterRecorderStats } from './types.js';

/**
 * Gives back the rings that bursts grew, once a recorder's buffer stayed empty for the idle period
 * (5 s): one `unref()`'d timer for every cluster recorder of the process, armed only while one
 * waits. Regrown for every burst, the ring cost the worker more than keeping it (a new array and a
 * copy per doubling, up to the burst's size, every burst).
 */
const idleRings = new IdleSweeper(() => performance.now());

/**
 * Most messages being written at once. While one is being written, another full batch goes only
 * when two whole batches more already wait behind it: the producer is outrunning the channel (a
 * synchronous burst, whose loop holds the event loop, so no write callback can come). The primary
 * then works on a burst's first batches while the producer still registers the next ones; with
 * one at a time it waited for the loop to end. Kept small: messages queued behind a full channel
 * are what a SIGKILL loses uncounted, and each one sent inside a burst is encoded inside a
 * `registerEvent` call. (Measured, paired against the previous build at load 7-14: 2 instead of 4
 * gave 1 worker 0.35-0.88x one process in 8 runs against 0.44-1.25x in 11. With "one whole batch
 * more" instead of two, the bench's 10 000-event `registerEvent` chunk encoded three batches
 * inline, and its figure reached 3.5-4.2x the primary's in 3 of 8 runs under load; now two.) A
 * partial batch or a flush waits until none is in flight.
 */
export const MAX_MESSAGES_IN_FLIGHT = 4;

/**
 * Checked settings of a {@link ClusterRecorder} (see `connectToPrimary`).
 * @internal
 */
export interface ClusterRecorderSettings {
  readonly name: string;
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  readonly batchSize: number;
  readonly flushTimeoutMs: number;
  readonly onError?: ((error: import('../errors/index.js').MetricsError) => void) | undefined;
}

/**
 * A recorder in a worker process whose metrics live in the primary: the same `registerEvent`
 * contract as `MetricsRecorder` (short synchronous handoff, never throws), with events sent over
 * the IPC channel in batches. One message is being written at a time, or a few in a burst (see
 * MAX_MESSAGES_IN_FLIGHT); meanwhile events wait here, so the next message announces them (the
 * primary then counts them as lost if this process dies).
 */
export class ClusterRecorder {
  /** Name of the primary's recorder. */
  readonly name: string;
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  readonly batchSize: number;

  private readonly channel: IpcChannel;
  private readonly reporter: OnceReporter;
  private readonly queue: BoundedQueue;
  private readonly advanced = process.env.NODE_CHANNEL_SERIALIZATION_MODE === 'advanced';
  // With runs: the primary reads this version (TAG) with them.
  private readonly encoder = new BatchEncoder({ runs: true });

  private scheduled = false;
  private closed = false;
  private gone = false;
  /** Events in the messages being written (0 = nothing in flight). */
  private writing = 0;
  /** Events of each message being written, oldest first (the channel calls back in order). */
  private readonly messages: number[] = [];

  private registered = 0;
  private sent = 0;
  private unserialisable = 0;
  private rejected = 0;
  private lost = 0;
  private droppedAfterGone = 0;

  private readonly waiters = new PendingFlushes(
    () => this.listen(false),
    (timeoutMs) => this.timedOut(timeoutMs),
  );
  private nextFlush = 1;
  private readonly flushTimeoutMs: number;
  private flushesTimedOut = 0;
  private listening = false;
  private readonly listeners: ChannelListeners;

  /**
   * Use `connectToPrimary(name)`, which checks its options first.
   * @internal
   */
  constructor(settings: ClusterRecorderSettings, channel: IpcChannel) {
    this.name = settings.name;
    this.capacity = settings.capacity;
    this.overflow = settings.overflow;
    this.batchSize = settings.batchSize;
    this.flushTimeoutMs = settings.flushTimeoutMs;
    this.channel = channel;
    this.listeners = channelListeners(channel);
    this.reporter = new OnceReporter(settings.onError ?? defaultErrorHandler);
    const strategy = overflowStrategy(settings.overflow);
    this.queue = new BoundedQueue({
      capacity: this.capacity,
      overflow: strategy,
      onDrop: () => this.drop(strategy.loses),
    });
  }

  /**
   * Buffers `event` for the primary: O(1), never throws. A full batch is sent at once (when no
   * message is being written), a partial one on the next `setImmediate`. Full (buffered + being
   * written = capacity): dropped per the overflow policy and counted. Once the primary is gone,
   * every event is dropped and counted: the producer keeps running.
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
    this.registered++;
    if (this.gone) {
      this.dropGone();
      return;
    }
    const queue = this.queue;
    if (queue.size >= queue.room && !queue.makeRoom()) {
      // Dropped: still announced to the primary with the next message (a count-only one if need be).
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.sendLater);
      }
      return;
    }
    queue.push(event);
    if (
      queue.size >= this.batchSize &&
      (this.messages.length === 0 ||
        (queue.size >= 3 * this.batchSize && this.messages.length < MAX_MESSAGES_IN_FLIGHT))
    ) {
      this.send();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.sendLater);
    }
  }

  /**
   * Resolves once the primary has processed every event registered here before the call (at once
   * if the primary is gone). Never hangs: a primary that does not answer within `timeoutMs`
   * (default: the `flushTimeoutMs` option, 10 s) resolves it anyway, reported once
   * (`flush-timeout`) and counted in `stats().flushesTimedOut`; the events stay accounted for
   * (sent, or lost if the primary never takes them). A `timeoutMs` that is not a positive number
   * (or `Infinity`) throws `MetricsWiringError`.
   */
  flush(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = flushTimeout(
      `Cluster recorder "${this.name}": flush()`,
      'timeoutMs',
      options?.timeoutMs,
      this.flushTimeoutMs,
    );
    if (this.closed || this.checkGone()) return Promise.resolve();
    const id = this.nextFlush++;
    this.listen(true);
    const flushed = this.waiters.add(id, timeoutMs);
    // The flush is done once the primary has the message that carries the last event buffered now.
    this.flushes.push({ id, mark: this.progress() + this.queue.size });
    if (this.messages.length === 0) this.send();
    return flushed;
  }

  /**
   * Sends what is buffered (as fast as the channel takes it) and refuses later calls. Idempotent.
   * The channel itself stays open (it is the application's); await `flush()` first to know the
   * primary has the events.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.messages.length === 0) this.send();
  }

  /** Counters; `registered = sent + dropped + unserialisable + lost + pending`. */
  stats(): ClusterRecorderStats {
    return {
      registered: this.registered,
      sent: this.sent,
      dropped: this.dropped(),
      unserialisable: this.unserialisable,
      rejected: this.rejected,
      lost: this.lost,
      pending: this.queue.size,
      inFlight: this.writing,
      capacity: this.capacity,
      flushesTimedOut: this.flushesTimedOut,
    };
  }

  /** Flushes not yet sent to the primary, each with the progress its last event is at. */
  private flushes = noFlushes();
  /** Events taken from the buffer to be sent (sent or refused as unserialisable). */
  private taken = 0;
  /** `registered` as of the last message: while it differs, a message (if only counts) is due. */
  private announced = 0;

  // How far the buffer has been emptied: events taken to be sent, and those evicted unsent.
  private progress(): number {
    return this.taken + this.queue.evicted;
  }

  /** Where a grown buffer waits to be given back (a test puts a sweeper with its own clock here). */
  private rings: IdleSweeper = idleRings;
  private readonly idleRing: IdleTask = {
    idle: () => {
      if (this.queue.size === 0 && this.queue.oversized) this.queue.shrink();
    },
  };

  private readonly sendLater = (): void => {
    this.scheduled = false;
    if (this.messages.length === 0) this.send();
  };

  private readonly written = (error: Error | null): void => {
    if (this.gone) return; // the channel closed: everything was accounted for then
    this.writing -= this.messages.shift() ?? 0;
    this.queue.setLimit(this.capacity - this.writing);
    // A failed write on a channel still open (Node calls back with the error on the next tick when
    // writing fails at once, and keeps the channel) is a completion like any: what is due behind
    // it goes now, or a flush asked meanwhile would wait for its timeout on an idle worker.
    if (error !== null && error !== undefined && this.checkGone()) return;
    // While others are being written only a full batch goes (their callbacks send the rest).
    if (
      this.messages.length === 0
        ? this.queue.size > 0 || this.flushes.length > 0 || this.announced !== this.registered
        : this.queue.size >= this.batchSize
    ) {
      this.send();
    }
  };

  // Takes up to one batch from the buffer and hands it to the channel. Everything taken is
  // accounted for whatever happens: sent, unserialisable or lost.
  private send(): void {
    const queue = this.queue;
    if (
      this.checkGone() ||
      (queue.size === 0 && this.flushes.length === 0 && this.announced === this.registered)
    ) {
      return;
    }
    const size = Math.min(queue.size, this.batchSize);
    const events: object[] = [];
    for (let i = 0; i < size; i++) events.push(queue.shift());
    this.taken += size;
    // Kept while bursts recur, as a recorder keeps its own (BurstMemory): given back once idle.
    if (queue.size === 0 && queue.oversized) this.rings.add(this.idleRing);
    // The newest flush whose last event is in this message (or before) rides on it.
    const progress = this.progress();
    let flush = 0;
    while (this.flushes.length > 0 && (this.flushes[0] as { mark: number }).mark <= progress) {
      flush = (this.flushes.shift() as { id: number }).id;
    }
    try {
      this.post(events, flush);
    } catch (error) {
      this.sendSerialisable(events, flush, error);
    }
  }

  private post(events: object[], flush: number): void {
    // Columns of primitives rather than an array of objects: far less for the primary to parse.
    const { s, k, v, e } = this.encoder.encode(events);
    const message: BatchMessage = {
      mvx: TAG,
      r: this.name,
      s,
      k,
      v,
      e,
      // Announced with the events still buffered: the primary's books then cover them too.
      c: [this.registered, this.dropped(), this.unserialisable, this.rejected],
      ...(flush === 0 ? {} : { f: flush }),
    };
    (this.channel as Required<IpcChannel>).send(message, this.written);
    this.announced = this.registered;
    this.writing += events.length;
    this.messages.push(events.length);
    this.sent += events.length;
    // While messages are being written their events count against the bound.
    this.queue.setLimit(this.capacity - this.writing);
  }

  // The channel refused the message: find the events it cannot serialise, send the rest.
  private sendSerialisable(events: object[], flush: number, error: unknown): void {
    const good: object[] = [];
    for (const event of events) {
      try {
        if (this.advanced) serialize(event);
        else if (JSON.stringify(event) === undefined) throw new TypeError('not JSON');
        good.push(event);
      } catch (eventError) {
        this.refuse(event, eventError);
      }
    }
    if (good.length === events.length) {
      // Every event serialises alone: the failure was not about an event.
      for (const event of events) this.refuse(event, error);
      good.length = 0;
    }
    try {
      // Even with no event left (and no flush): the message announces the refused ones, which
      // the primary would otherwise learn of only with this worker's next message.
      this.post(good, flush);
    } catch (retryError) {
      for (const event of good) this.refuse(event, retryError);
      if (flush !== 0) this.waiters.settle(flush);
    }
  }

  // Whether the channel to the primary is closed; the first time, what is buffered becomes lost.
  private checkGone(): boolean {
    if (this.gone) return true;
    if (this.channel.connected !== false && typeof this.channel.send === 'function') return false;
    this.gone = true;
    this.lost += this.queue.size;
    this.queue.takeAll();
    this.writing = 0;
    this.messages.length = 0;
    this.flushes = noFlushes();
    this.waiters.settle(Number.POSITIVE_INFINITY);
    this.reportOnce(
      'primary-gone',
      'primary-gone',
      `Cluster recorder "${this.name}": the channel to the primary is closed; ${this.lost} buffered event(s) lost and every later event dropped. Counted in stats().lost and stats().dropped.`,
    );
    return true;
  }

  private refuse(event: object, error: unknown): void {
    this.unserialisable++;
    this.reportOnce(
      'event-not-serialisable',
      'event-not-cloneable',
      `Cluster recorder "${this.name}" cannot send event ${describeEvent(event)} to the primary: ${errorMessage(error)}. Events cross the IPC channel (JSON by default): use plain data. Counted in stats().unserialisable.`,
    );
  }

  private dropped(): number {
    return this.queue.refused + this.queue.evicted + this.droppedAfterGone;
  }

  private dropGone(): void {
    this.droppedAfterGone++;
  }

  private drop(loses: string): void {
    if (this.reporter.has('buffer-full')) return;
    this.reportOnce(
      'buffer-full',
      'buffer-full',
      `Cluster recorder "${this.name}" is full (${this.capacity} events buffered or being written); dropping the ${loses} events. Counted in stats().dropped.`,
    );
  }

  private reject(event: unknown, code: 'invalid-event' | 'event-after-stop'): void {
    this.rejected++;
    if (this.reporter.has(code)) return;
    this.reportOnce(
      code,
      code,
      code === 'invalid-event'
        ? `Cluster recorder "${this.name}" rejected ${describeValue(event)}: an event must be a non-null object. Counted in stats().rejected.`
        : `Cluster recorder "${this.name}" is closed and rejected event ${describeEvent(event)}. Counted in stats().rejected.`,
    );
  }

  // Listens for flush answers only while a flush waits: a 'message' listener keeps the channel
  // (and so the process) alive, and the library never keeps a process alive on its own.
  // The channel's listeners are shared by its recorders (ChannelListeners).
  private listen(on: boolean): void {
    if (on === this.listening) return;
    this.listening = on;
    if (on) this.listeners.add(this.member);
    else this.listeners.delete(this.member);
  }

  private readonly member: ChannelMember = {
    onMessage: (message) => this.onMessage(message),
    onDisconnect: () => this.onDisconnect(),
  };

  private readonly onMessage = (message: unknown): void => {
    if (!isTagged(message) || message.r !== this.name) return;
    const id = (message as { f?: unknown }).f;
    if (typeof id !== 'number') return;
    this.waiters.settle(id);
  };

  private readonly onDisconnect = (): void => {
    this.checkGone();
  };

  private timedOut(timeoutMs: number): void {
    this.flushesTimedOut++;
    this.reportOnce(
      'flush-timeout',
      'flush-timeout',
      `Cluster recorder "${this.name}": the primary did not confirm a flush within ${timeoutMs} ms; flush() resolved without it. Is the primary attached to this process (runtime.clusterPrimary().attach / attachCluster), running this version of @mvx-metrics/core, and not blocked? Counted in stats().flushesTimedOut.`,
    );
  }

  private reportOnce(key: string, code: MetricsErrorCode, message: string): void {
    this.reporter.once(key, code, message);
  }
}

/**
 * An empty list of flushes, already of the elements kind it has once it holds one: a new
 * recorder's first send then runs the code an earlier recorder warmed up, instead of sending it
 * back to the interpreter ("wrong map") for V8 to compile again.
 */
function noFlushes(): { id: number; mark: number }[] {
  const flushes = [{ id: 0, mark: 0 }];
  flushes.length = 0;
  return flushes;
}
