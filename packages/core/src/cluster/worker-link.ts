import { type BatchDecoder, BatchFormatError } from '../events/batch-decoder.js';
import { roomFor } from '../internal/burst-room.js';
import type { MetricsRecorder } from '../recorder/metrics-recorder.js';
import {
  type BatchMessage,
  DROPPED,
  type IpcChannel,
  isBatch,
  isTagged,
  REGISTERED,
  REJECTED,
  TAG,
  TAG_V1,
  UNSERIALISABLE,
} from './protocol.js';
import type { ClusterWorkerStats } from './types.js';

/** Counts of one worker for one recorder name. */
interface Books {
  registered: number;
  dropped: number;
  unserialisable: number;
  rejected: number;
  received: number;
  unknownRecorder: number;
  batches: number;
}

/** What a link needs from its primary. */
export interface LinkOwner {
  recorder(name: string): MetricsRecorder | undefined;
  readonly workerProperty: string | undefined;
  readonly revive: ((event: object, recorder: string) => object) | undefined;
  /** Shared by every worker: compiled shapes are the same for all. */
  readonly decoder: BatchDecoder;
  /** The most recorder names one worker gets books for; messages for more are refused. */
  readonly maxRecorderNames: number;
  /** Reports (once per worker) that a worker sent events for more names than the bound. */
  namesExceeded(label: string, name: string): void;
  unknownRecorder(name: string, label: string): void;
  disconnected(link: WorkerLink): void;
  /** Self-telemetry: `count` more events had `outcome` (received, dropped, unserialisable, lost). */
  counted(
    outcome: 'received' | 'dropped' | 'unserialisable' | 'lost' | 'refused',
    count: number,
  ): void;
  failed(message: string, cause: unknown): void;
}

/**
 * The primary's end of one worker process: registers the events of its messages into the
 * primary's recorders and keeps the worker's announced counters, so that once the channel closes
 * (the worker exited, crashed or was SIGKILLed) what it announced but never delivered is known.
 */
export class WorkerLink {
  connected = true;
  private readonly books = new Map<string, Books>();
  /** Events in messages for a recorder name beyond `maxRecorderNames`: refused, booked nowhere. */
  private refused = 0;
  private namesReported = false;
  private formatReported = false;

  constructor(
    private readonly owner: LinkOwner,
    private readonly end: IpcChannel,
    readonly label: string,
    readonly pid: number | undefined,
  ) {
    end.on('message', this.onMessage);
    // Node emits 'disconnect' once the channel is closed, after every message already written
    // to it was delivered: from then on this worker's counts are final.
    end.on('disconnect', this.onDisconnect);
  }

  /** Stops listening; counts become final as they are (the owner is closing). */
  detach(): void {
    if (!this.connected) return;
    this.connected = false;
    this.end.off('message', this.onMessage);
    this.end.off('disconnect', this.onDisconnect);
  }

  /** This worker's counters, summed over recorder names. */
  stats(): ClusterWorkerStats {
    const s: ClusterWorkerStats = {
      label: this.label,
      pid: this.pid,
      connected: this.connected,
      registered: 0,
      received: 0,
      dropped: 0,
      unserialisable: 0,
      rejected: 0,
      inFlight: 0,
      lost: 0,
      unknownRecorder: 0,
      batches: 0,
      refused: this.refused,
      recorderNames: this.books.size,
    };
    for (const b of this.books.values()) {
      s.registered += b.registered;
      s.received += b.received;
      s.dropped += b.dropped;
      s.unserialisable += b.unserialisable;
      s.rejected += b.rejected;
      s.unknownRecorder += b.unknownRecorder;
      s.batches += b.batches;
      const missing = Math.max(0, b.registered - b.received - b.dropped - b.unserialisable);
      if (this.connected) s.inFlight += missing;
      else s.lost += missing;
    }
    return s;
  }

  private readonly onMessage = (message: unknown): void => {
    if (!isTagged(message) || !isBatch(message)) return;
    try {
      this.receive(message);
    } catch (error) {
      // A worker that keeps sending damaged batches is reported once, not once per message.
      if (error instanceof BatchFormatError) {
        if (this.formatReported) return;
        this.formatReported = true;
      }
      this.owner.failed(`receiving a batch from worker ${this.label} failed`, error);
    }
  };

  private readonly onDisconnect = (): void => {
    if (!this.connected) return;
    this.detach();
    this.owner.disconnected(this);
  };

  private receive(message: BatchMessage): void {
    // Decoded before anything is booked: a message that does not decode is refused whole.
    const events =
      message.mvx === TAG_V1
        ? message.e
        : this.owner.decoder.decode(message as Required<BatchMessage>, message.mvx === TAG);
    const name = message.r;
    let books = this.books.get(name);
    if (books === undefined) {
      if (this.books.size >= this.owner.maxRecorderNames) {
        this.refuse(message, events.length);
        return;
      }
      books = {
        registered: 0,
        dropped: 0,
        unserialisable: 0,
        rejected: 0,
        received: 0,
        unknownRecorder: 0,
        batches: 0,
      };
      this.books.set(name, books);
    }
    const c = message.c;
    // Counters only grow; a stale or replayed message never lowers them.
    books.registered = Math.max(books.registered, c[REGISTERED]);
    const dropped = Math.max(books.dropped, c[DROPPED]);
    const unserialisable = Math.max(books.unserialisable, c[UNSERIALISABLE]);
    if (dropped > books.dropped) this.owner.counted('dropped', dropped - books.dropped);
    if (unserialisable > books.unserialisable) {
      this.owner.counted('unserialisable', unserialisable - books.unserialisable);
    }
    books.dropped = dropped;
    books.unserialisable = unserialisable;
    books.rejected = Math.max(books.rejected, c[REJECTED]);
    books.batches++;
    books.received += events.length;
    if (events.length > 0) this.owner.counted('received', events.length);
    const recorder = this.owner.recorder(name);
    if (recorder === undefined) {
      books.unknownRecorder += events.length;
      if (events.length > 0) this.owner.unknownRecorder(name, this.label);
    } else if (events.length > 0) {
      this.register(recorder, events);
    }
    if (message.f !== undefined) this.answerFlush(recorder, name, message.f, message.mvx);
  }

  // A message for one name too many: its events are counted as refused and registered nowhere,
  // its counters are not kept (that is the memory the bound protects); a flush it carries is
  // still answered, so the worker does not wait for its timeout.
  private refuse(message: BatchMessage, count: number): void {
    if (!this.namesReported) {
      this.namesReported = true;
      this.owner.namesExceeded(this.label, message.r);
    }
    this.refused += count;
    if (count > 0) this.owner.counted('refused', count);
    if (message.f !== undefined) this.answerFlush(undefined, message.r, message.f, message.mvx);
  }

  private register(recorder: MetricsRecorder, events: object[]): void {
    // The worker admitted these under its own bound, which may be larger than the primary's
    // buffer, and Node hands over every message of one read in a row: process pending events
    // whenever the rest would not fit (see roomFor).
    let room = roomFor(recorder, events.length);
    const property = this.owner.workerProperty;
    const revive = this.owner.revive;
    for (let i = 0; i < events.length; i++) {
      if (room <= 0) room = roomFor(recorder, events.length - i);
      room--;
      let event = events[i] as Record<string, unknown>;
      if (revive !== undefined) event = this.revived(revive, event, recorder.name);
      if (property !== undefined && event !== null && typeof event === 'object') {
        event[property] = this.label;
      }
      recorder.registerEvent(event);
    }
  }

  private revived(
    revive: (event: object, recorder: string) => object,
    event: Record<string, unknown>,
    name: string,
  ): Record<string, unknown> {
    try {
      return revive(event, name) as Record<string, unknown>;
    } catch (error) {
      this.owner.failed(
        `revive threw for an event of recorder "${name}"; registered as received`,
        error,
      );
      return event;
    }
  }

  private answerFlush(
    recorder: MetricsRecorder | undefined,
    name: string,
    id: number,
    tag: BatchMessage['mvx'],
  ): void {
    const done = (): void => {
      if (!this.connected || typeof this.end.send !== 'function') return;
      try {
        this.end.send({ mvx: tag, r: name, f: id }, () => {
          // The worker may be gone by now: nothing to do.
        });
      } catch {
        // the channel closed between the check and the send
      }
    };
    if (recorder === undefined) {
      done();
      return;
    }
    recorder
      .flush()
      .then(done, (error: unknown) =>
        this.owner.failed(`a flush for worker ${this.label} failed`, error),
      );
  }
}
