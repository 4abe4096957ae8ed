import { MessageChannel } from 'node:worker_threads';
import { describeError } from '../errors/describe-error.js';
import {
  defaultErrorHandler,
  type ErrorHandler,
  MetricsError,
  MetricsWiringError,
} from '../errors/index.js';
import { optionalFunction, optionsObject, readOption } from '../internal/option-checks.js';
import type { MetricsRecorder } from '../recorder/metrics-recorder.js';
import { checkHandleOptions } from './handle-options.js';
import {
  type ConnectionCounts,
  type ConnectionOwner,
  OwnerConnection,
} from './owner-connection.js';
import { DEFAULT_BATCH_SIZE, HANDLE_KIND, HANDLE_VERSION, SLOTS } from './protocol.js';
import type {
  ExposedRecorderStats,
  ExposeRecorderOptions,
  RecorderHandle,
  RecorderHandleOptions,
} from './types.js';

const ZERO: ConnectionCounts = {
  registered: 0,
  received: 0,
  dropped: 0,
  uncloneable: 0,
  rejected: 0,
  inFlight: 0,
  lost: 0,
  batches: 0,
};

/**
 * A recorder of the owning thread made reachable from worker threads. Each `handle()` is one
 * connection for one worker; events arriving on it are registered into the recorder, in order.
 *
 * @example
 * const exposed = runtime.exposeRecorder('hashing');
 * const handle = exposed.handle();
 * new Worker(url, { workerData: { metrics: handle }, transferList: [handle.port] });
 */
export class ExposedRecorder {
  readonly recorder: MetricsRecorder;
  private readonly open = new Set<OwnerConnection>();
  private closedTotals: ConnectionCounts = { ...ZERO };
  private connections = 0;
  private isClosed = false;
  private readonly onError: ErrorHandler;
  private readonly owner: ConnectionOwner;

  constructor(recorder: MetricsRecorder, options: ExposeRecorderOptions = {}) {
    this.recorder = recorder;
    const owner = { label: `exposeRecorder("${recorder.name}")` };
    this.onError =
      optionalFunction<ErrorHandler>(owner, optionsObject(owner, options), 'onError') ??
      defaultErrorHandler;
    this.owner = {
      recorder,
      closed: (connection, final) => this.connectionClosed(connection, final),
      failed: (message, cause) =>
        this.report(
          new MetricsError(
            'listener-failed',
            `Worker bridge: ${message}: ${describeError(cause)}`,
            {
              cause,
            },
          ),
        ),
    };
  }

  /** A new connection for one worker. Put `handle.port` in the transfer list when you send it. */
  handle(options: RecorderHandleOptions = {}): RecorderHandle {
    if (this.isClosed) {
      throw new MetricsWiringError(
        'exposure-closed',
        `Recorder "${this.recorder.name}" is no longer exposed to workers (closed or shut down): create handles before shutdown().`,
      );
    }
    const owner = { label: `Worker handle of recorder "${this.recorder.name}"` };
    const opts = optionsObject(owner, options);
    const read = (key: string, fallback: unknown): unknown => {
      const value = readOption(owner, opts, key);
      return value === undefined ? fallback : value;
    };
    const { maxPendingEvents, overflow, batchSize } = checkHandleOptions(owner.label, {
      maxPendingEvents: read('maxPendingEvents', this.recorder.capacity),
      overflow: read('overflow', this.recorder.overflow),
      batchSize: read('batchSize', DEFAULT_BATCH_SIZE),
    });
    const { port1, port2 } = new MessageChannel();
    const counters = new SharedArrayBuffer(SLOTS * Uint32Array.BYTES_PER_ELEMENT);
    this.open.add(new OwnerConnection(this.owner, port1, new Uint32Array(counters)));
    this.connections++;
    return {
      kind: HANDLE_KIND,
      version: HANDLE_VERSION,
      recorder: this.recorder.name,
      port: port2,
      counters,
      maxPendingEvents,
      overflow,
      batchSize,
    };
  }

  /** Counters summed over every connection; `registered = received + dropped + uncloneable + inFlight + lost`. */
  stats(): ExposedRecorderStats {
    const sum = { ...this.closedTotals };
    for (const connection of this.open) add(sum, connection.counts());
    return { connections: this.connections, open: this.open.size, ...sum };
  }

  /**
   * Takes in every batch workers already sent (synchronously), then closes every connection;
   * their counts are final from then on (a worker still running counts later calls as rejected
   * in its own `stats()`). Idempotent; the runtime calls it from `shutdown()` before draining
   * the recorder.
   */
  close(): void {
    this.isClosed = true;
    for (const connection of [...this.open]) connection.close();
  }

  // A connection closed: fold its final counts in (so closed connections cost no memory) and report a loss.
  private connectionClosed(connection: OwnerConnection, final: ConnectionCounts): void {
    if (!this.open.delete(connection)) return;
    add(this.closedTotals, final);
    if (final.lost > 0) {
      this.report(
        new MetricsError(
          'worker-events-lost',
          `A worker connection to recorder "${this.recorder.name}" closed with ${final.lost} event(s) registered in the worker but never sent (the worker exited or crashed first); counted in stats().lost.`,
        ),
      );
    }
  }

  private report(error: MetricsError): void {
    try {
      this.onError(error);
    } catch {
      // contained: a throwing error handler must not break the owning thread
    }
  }
}

/**
 * Creates an exposure of `recorder` to worker threads without a runtime (then you call `close()`
 * at shutdown). With a runtime, use `runtime.exposeRecorder(name)`, which keeps one exposure per
 * recorder and closes it at shutdown.
 */
export function createExposedRecorder(
  recorder: MetricsRecorder,
  options: ExposeRecorderOptions = {},
): ExposedRecorder {
  return new ExposedRecorder(recorder, options);
}

function add(into: ConnectionCounts, from: ConnectionCounts): void {
  into.registered += from.registered;
  into.received += from.received;
  into.dropped += from.dropped;
  into.uncloneable += from.uncloneable;
  into.rejected += from.rejected;
  into.inFlight += from.inFlight;
  into.lost += from.lost;
  into.batches += from.batches;
}
