// Both ends of Node's IPC channel in one process, for the cluster tests that Stryker runs
// (packages/core/src/cluster/*.test.ts).
import { EventEmitter } from 'node:events';
import { connectOver } from '../../packages/core/src/cluster/connect-to-primary.js';
import type { IpcChannel } from '../../packages/core/src/cluster/protocol.js';
import type { MetricsError } from '../../packages/core/src/errors/index.js';
import { counter } from '../../packages/core/src/metrics/index.js';
import { MetricsRuntime } from '../../packages/core/src/runtime/index.js';

type Callback = (error: Error | null) => void;

/**
 * A message goes through JSON (as Node's default serialization does) and three stages: written by
 * the worker's libuv (its send callback not called yet), in the pipe (callback called, not
 * delivered), delivered. `pump()` moves each stage one step; `kill()` is a SIGKILL of the worker:
 * what is still being written is lost, what is in the pipe is delivered, then the primary's end
 * emits 'disconnect'; `killPrimary()` closes the worker's end.
 */
export class FakeChannel {
  readonly worker: IpcChannel & EventEmitter;
  readonly primary: IpcChannel & EventEmitter & { pid: number };
  /** Every message the worker handed to `send`, as it crossed (parsed back from JSON). */
  readonly sent: Record<string, unknown>[] = [];
  /** Every message the primary sent back. */
  readonly answers: Record<string, unknown>[] = [];
  private writing: { json: string; callback?: Callback | undefined }[] = [];
  private pipe: string[] = [];
  private toWorker: string[] = [];
  connected = true;

  constructor(pid = 1234) {
    const worker = new EventEmitter() as IpcChannel & EventEmitter;
    Object.defineProperty(worker, 'connected', { get: () => this.connected });
    worker.send = (message: object, callback?: Callback): boolean => {
      // Node throws for a message it cannot serialise (a BigInt with JSON): so does JSON.stringify.
      const json = JSON.stringify(message);
      this.sent.push(JSON.parse(json) as Record<string, unknown>);
      this.writing.push({ json, callback });
      return true;
    };
    const primary = new EventEmitter() as IpcChannel & EventEmitter & { pid: number };
    primary.pid = pid;
    Object.defineProperty(primary, 'connected', { get: () => this.connected });
    primary.send = (message: object, callback?: Callback): boolean => {
      if (!this.connected) {
        queueMicrotask(() => callback?.(new Error('channel closed')));
        return false;
      }
      const json = JSON.stringify(message);
      this.answers.push(JSON.parse(json) as Record<string, unknown>);
      this.toWorker.push(json);
      queueMicrotask(() => callback?.(null));
      return true;
    };
    this.worker = worker;
    this.primary = primary;
  }

  /** Messages still being written by the worker (their send callback not called yet). */
  get writingCount(): number {
    return this.writing.length;
  }

  /** One step of every stage. */
  pump(): void {
    const delivered = this.pipe;
    this.pipe = this.writing.map((w) => w.json);
    const written = this.writing;
    this.writing = [];
    for (const w of written) w.callback?.(null);
    for (const json of delivered) this.primary.emit('message', JSON.parse(json));
    const back = this.toWorker;
    this.toWorker = [];
    if (this.connected) for (const json of back) this.worker.emit('message', JSON.parse(json));
  }

  /** Only the oldest message being written finishes (its callback runs; it enters the pipe). */
  writeOne(): void {
    const w = this.writing.shift();
    if (w === undefined) return;
    this.pipe.push(w.json);
    w.callback?.(null);
  }

  /** Pumps until nothing moves. */
  drain(): void {
    for (let i = 0; i < 10_000; i++) {
      if (this.writing.length === 0 && this.pipe.length === 0 && this.toWorker.length === 0) return;
      this.pump();
    }
  }

  /** The worker dies: its unwritten messages are gone, the pipe still delivers, then 'disconnect'. */
  kill(): void {
    this.writing = [];
    for (const json of this.pipe) this.primary.emit('message', JSON.parse(json));
    this.pipe = [];
    this.toWorker = [];
    this.connected = false;
    this.primary.emit('disconnect');
  }

  /** The primary dies: the worker's end disconnects, nothing more is delivered. */
  killPrimary(): void {
    this.connected = false;
    const writing = this.writing;
    this.writing = [];
    this.pipe = [];
    for (const w of writing) w.callback?.(new Error('EPIPE'));
    this.worker.emit('disconnect');
  }
}

export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Pumps the channel, a turn at a time, until `promise` settles (at most 1000 turns); whether it did. */
export async function pumpUntil(channel: FakeChannel, promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  for (let i = 0; i < 1000 && !done; i++) {
    channel.pump();
    await tick();
  }
  return done;
}

/** {@link pumpUntil} that fails the test when `promise` has not settled after its 1000 turns. */
export async function pumpUntilSettled(
  channel: FakeChannel,
  promise: Promise<unknown>,
): Promise<void> {
  if (!(await pumpUntil(channel, promise))) {
    throw new Error('pumped the channel for 1000 turns and the promise did not settle');
  }
}

/**
 * A started runtime with a recorder `service` (a counter of `type: 'x'` events) whose cluster
 * primary is attached to one in-memory channel, and the worker's recorder over it; each side's
 * reports collected.
 */
export function connectedCluster(
  options: { capacity?: number; batchSize?: number; workerProperty?: string } = {},
) {
  const errors: MetricsError[] = [];
  const runtime = new MetricsRuntime({
    namespace: 'test',
    scheduler: 'sync',
    onError: (e) => errors.push(e),
  });
  const recorder = runtime.createRecorder('service', {
    metrics: [counter({ name: 'events', on: (e) => (e as { type?: unknown }).type === 'x' })],
  });
  runtime.start();
  const primary = runtime.clusterPrimary(
    options.workerProperty === undefined ? {} : { workerProperty: options.workerProperty },
  );
  const channel = new FakeChannel();
  primary.attach(channel.primary);
  const workerErrors: MetricsError[] = [];
  const worker = connectOver(channel.worker, 'service', {
    maxPendingEvents: options.capacity ?? 64,
    batchSize: options.batchSize ?? 8,
    onError: (e) => workerErrors.push(e),
  });
  return { runtime, recorder, primary, channel, worker, errors, workerErrors };
}
