// The wire between a recorder in another process (a node:cluster worker, a child_process.fork
// child) and the primary that owns the metrics. Private. It rides on Node's IPC channel, next to
// whatever the application itself sends there, so every message carries a tag.
//
// worker → primary  { mvx, r, s, k, v, e, c: [registered, dropped, unserialisable, rejected], f? }
//   `s`, `k`, `v`, `e` are the batch's events in the compact form of batch-format.ts, with runs
//   (REPEAT: consecutive events with the same keys and strings sent as their value columns).
//   `c` are the worker's cumulative counters when the message was built, events still buffered in
//   the worker included: what the primary knows a worker registered even if it dies next.
//   `f` asks the primary to answer once everything before it is processed (a flush).
// primary → worker  { mvx, r, f }  the flush `f` is done (tagged like the message that asked).
//
// Versions. A primary takes every version below, and answers a flush in the version it was asked
// in, so a worker of an earlier release keeps working with a newer primary (a rolling upgrade
// that restarts the primary first). A primary only knows the versions up to its own and ignores
// a later one's messages rather than misread them: a newer worker's flushes then time out
// (`flush-timeout`, which names this cause), so upgrade the primary first.
//   1  the events as they are, `{ mvx, r, e, c, f? }`.
//   2  the compact form of batch-format.ts without runs (a REPEAT in `v` is damage there).
//   3  (this release) version 2's form with runs.

/** The tag (and wire version) of every message this library puts on an IPC channel. */
export const TAG = 'mvx-metrics.cluster/3';

/** The tag of version 2's messages: the compact form without runs. */
export const TAG_V2 = 'mvx-metrics.cluster/2';

/** The tag of the first release's messages: events sent as they are in `e`. */
export const TAG_V1 = 'mvx-metrics.cluster/1';

/** Default number of events per message. */
export const DEFAULT_BATCH_SIZE = 2048;

/** Positions in the counters array `c`. */
export const REGISTERED = 0;
export const DROPPED = 1;
export const UNSERIALISABLE = 2;
export const REJECTED = 3;

/** A message from a worker. */
export interface BatchMessage {
  readonly mvx: typeof TAG | typeof TAG_V2 | typeof TAG_V1;
  /** The primary's recorder these events are for. */
  readonly r: string;
  /** Versions 2 and 3: the string table, shapes and values of the encoded events (batch-format.ts). */
  readonly s?: string[];
  readonly k?: string[][];
  readonly v?: (number | boolean | null)[];
  /** Versions 2 and 3: the events sent as they are; version 1: every event. */
  readonly e: object[];
  readonly c: readonly [number, number, number, number];
  readonly f?: number;
}

/** A message from the primary. */
export interface FlushDoneMessage {
  readonly mvx: typeof TAG | typeof TAG_V2 | typeof TAG_V1;
  readonly r: string;
  readonly f: number;
}

/** Whether `message` is one of ours (application messages on the same channel are left alone). */
export function isTagged(
  message: unknown,
): message is { mvx: typeof TAG | typeof TAG_V2 | typeof TAG_V1; r: unknown } {
  if (typeof message !== 'object' || message === null) return false;
  const tag = (message as { mvx?: unknown }).mvx;
  return tag === TAG || tag === TAG_V2 || tag === TAG_V1;
}

/** Whether a tagged message is a well-formed batch (its events are checked when decoded). */
export function isBatch(message: { mvx: unknown; r: unknown }): message is BatchMessage {
  const m = message as Partial<BatchMessage>;
  return (
    typeof m.r === 'string' &&
    Array.isArray(m.e) &&
    (m.mvx === TAG_V1 || (Array.isArray(m.s) && Array.isArray(m.k) && Array.isArray(m.v))) &&
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
