// The wire between a recorder in another process (a node:cluster worker, a child_process.fork
// child) and the primary that owns the metrics. Private. It rides on Node's IPC channel, next to
// whatever the application itself sends there, so every message carries a tag.
//
// worker → primary  { mvx, r, e: events, c: [registered, dropped, unserialisable, rejected], f? }
//   `c` are the worker's cumulative counters when the message was built, events still buffered in
//   the worker included: what the primary knows a worker registered even if it dies next.
//   `f` asks the primary to answer once everything before it is processed (a flush).
// primary → worker  { mvx, r, f }  the flush `f` is done.

/** The tag (and wire version) of every message this library puts on an IPC channel. */
export const TAG = 'mvx-metrics.cluster/1';

/** Default number of events per message. */
export const DEFAULT_BATCH_SIZE = 512;

/** Positions in the counters array `c`. */
export const REGISTERED = 0;
export const DROPPED = 1;
export const UNSERIALISABLE = 2;
export const REJECTED = 3;

/** A message from a worker. */
export interface BatchMessage {
  readonly mvx: typeof TAG;
  /** The primary's recorder these events are for. */
  readonly r: string;
  readonly e: object[];
  readonly c: readonly [number, number, number, number];
  readonly f?: number;
}

/** A message from the primary. */
export interface FlushDoneMessage {
  readonly mvx: typeof TAG;
  readonly r: string;
  readonly f: number;
}

/** Whether `message` is one of ours (application messages on the same channel are left alone). */
export function isTagged(message: unknown): message is { mvx: typeof TAG; r: unknown } {
  return (
    typeof message === 'object' && message !== null && (message as { mvx?: unknown }).mvx === TAG
  );
}

/** Whether a tagged message is a well-formed batch (a message from another version is not). */
export function isBatch(message: { r: unknown }): message is BatchMessage {
  const m = message as Partial<BatchMessage>;
  return (
    typeof m.r === 'string' &&
    Array.isArray(m.e) &&
    Array.isArray(m.c) &&
    m.c.length === 4 &&
    m.c.every((n) => Number.isSafeInteger(n) && n >= 0)
  );
}

/** The part of a ChildProcess, a cluster Worker or a child's `process` that cluster mode uses: one end of Node's IPC channel. */
export interface IpcChannel {
  // `any[]` listeners, as Node's own EventEmitter types them. Method syntax: a ChildProcess' or Worker's overloaded `send` fits it.
  send?(message: object, callback?: (error: Error | null) => void): boolean;
  readonly connected?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: Node's own listener type, so Worker and ChildProcess fit
  on(event: 'message' | 'disconnect', listener: (...args: any[]) => void): unknown;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  off(event: 'message' | 'disconnect', listener: (...args: any[]) => void): unknown;
}
