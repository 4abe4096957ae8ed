import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { BatchDecoder } from '../events/batch-decoder.js';
import { roomFor } from '../internal/burst-room.js';
import type { MetricsRecorder } from '../recorder/metrics-recorder.js';
import {
  CLOSED,
  DROPPED,
  RECEIVED,
  REGISTERED,
  REJECTED,
  UNCLONEABLE,
  WrappingCounter,
} from './protocol.js';
import type { ExposedRecorderStats } from './types.js';

/** Counts of one connection (or a sum of them): the per-connection fields of `ExposedRecorderStats`. */
export type ConnectionCounts = Omit<ExposedRecorderStats, 'connections' | 'open'>;

/** What a connection tells its exposure. */
export interface ConnectionOwner {
  readonly recorder: MetricsRecorder;
  /** Runs once when the connection closes, with its final counts. */
  closed(connection: OwnerConnection, final: ConnectionCounts): void;
  /** A run-time problem (a handler that threw); never thrown. */
  failed(message: string, cause: unknown): void;
}

/**
 * The owning thread's end of one worker connection: feeds received batches into the recorder,
 * answers flush requests, and turns the shared counters into exact counts, even after a crash.
 */
export class OwnerConnection {
  private open = true;
  private received = 0;
  private batches = 0;
  private readonly registered: WrappingCounter;
  private readonly dropped: WrappingCounter;
  private readonly uncloneable: WrappingCounter;
  private readonly rejected: WrappingCounter;
  private readonly decoder = new BatchDecoder();

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly port: MessagePort,
    private readonly shared: Uint32Array,
  ) {
    this.registered = new WrappingCounter(shared, REGISTERED);
    this.dropped = new WrappingCounter(shared, DROPPED);
    this.uncloneable = new WrappingCounter(shared, UNCLONEABLE);
    this.rejected = new WrappingCounter(shared, REJECTED);
    port.on('message', this.onMessage);
    // Node emits 'close' on this end once the worker closed its port, exited or crashed, after
    // delivering what it had posted: from then on the counters are final.
    port.on('close', this.onClose);
    // The worker keeps the process alive while it runs; this port must not.
    port.unref();
  }

  /** Current counts (live while open). */
  counts(): ConnectionCounts {
    const registered = this.registered.read();
    const dropped = this.dropped.read();
    const uncloneable = this.uncloneable.read();
    const unsent = Math.max(0, registered - dropped - uncloneable - this.received);
    return {
      registered,
      received: this.received,
      dropped,
      uncloneable,
      rejected: this.rejected.read(),
      inFlight: this.open ? unsent : 0,
      lost: this.open ? 0 : unsent,
      batches: this.batches,
    };
  }

  /**
   * Closes from the owning side: takes in every batch the worker already posted (synchronously,
   * so nothing already sent is lost), then closes the port. Idempotent.
   */
  close(): void {
    if (!this.open) return;
    // Tell the worker first, so it stops sending; what it posted before is still queued here.
    Atomics.store(this.shared, CLOSED, 1);
    // Only while our end is open: Node 20 crashes on receiveMessageOnPort after 'close'.
    let queued = receiveMessageOnPort(this.port);
    while (queued !== undefined) {
      this.handle(queued.message, false);
      queued = receiveMessageOnPort(this.port);
    }
    this.finish();
    this.port.close();
  }

  private readonly onMessage = (message: unknown): void => {
    if (this.open) this.handle(message, true);
  };

  private readonly onClose = (): void => {
    this.finish();
  };

  private finish(): void {
    if (!this.open) return;
    this.open = false;
    this.port.off('message', this.onMessage);
    this.owner.closed(this, this.counts());
  }

  private handle(message: unknown, answerFlush: boolean): void {
    if (typeof message === 'object' && message !== null) {
      this.receiveEncoded(message as Record<'s' | 'k' | 'v' | 'e', unknown>);
    } else if (typeof message === 'number' && answerFlush) {
      this.answerFlush(message);
    }
    // Anything else is not ours: ignored (a handle's port is private to this library).
  }

  // A batch in the compact form (events/batch-format.ts). It comes from this library's own worker
  // side (the handle's version is checked on connect), so one that does not decode is a defect:
  // reported, and its events stay unreceived (in flight, then lost once the worker is gone).
  private receiveEncoded(batch: Record<'s' | 'k' | 'v' | 'e', unknown>): void {
    let events: object[];
    try {
      events = this.decoder.decode(batch, true);
    } catch (error) {
      this.owner.failed(
        `decoding a batch for recorder "${this.owner.recorder.name}" failed`,
        error,
      );
      return;
    }
    this.receive(events);
  }

  private receive(events: unknown[]): void {
    const recorder = this.owner.recorder;
    try {
      // The worker admitted these events under its own bound (buffer + in flight), which may be
      // larger than the owning buffer, and Node may hand over many queued batches in one
      // callback: process pending events whenever the rest would not fit (see roomFor).
      let room = roomFor(recorder, events.length);
      for (let i = 0; i < events.length; i++) {
        if (room <= 0) room = roomFor(recorder, events.length - i);
        recorder.registerEvent(events[i] as object);
        room--;
      }
    } catch (error) {
      this.owner.failed(`receiving a batch for recorder "${recorder.name}" failed`, error);
    }
    this.received += events.length;
    this.batches++;
    Atomics.store(this.shared, RECEIVED, this.received);
  }

  private answerFlush(id: number): void {
    // Batches before this request are already registered (one port delivers in order).
    this.owner.recorder.flush().then(
      () => {
        if (this.open) this.port.postMessage(id);
      },
      (error: unknown) => this.owner.failed('a flush for a worker failed', error),
    );
  }
}
