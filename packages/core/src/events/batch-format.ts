// The compact form of a batch of events on a channel to another thread or process (the IPC
// channel of cluster mode, a worker thread's MessagePort). Private.
//
// Node's IPC channel serialises every message with JSON.stringify in the sender and JSON.parse in
// the receiver; for an array of event objects the primary's JSON.parse was most of its work (it
// builds a map-transitioning object per event, and a string per string value). Here a batch of
// flat events becomes columns of primitives that JSON parses much faster:
//
//   s: string[]             every distinct string value of the batch, once
//   k: [types, ...keys][]   the distinct shapes: own enumerable keys in order, and per key 's'
//                           (the value is an index into `s`) or 'v' (the value itself: a number,
//                           a boolean or null)
//   v: (number|boolean|null)[]  per event: its shape's index, then its values; or RAW (-1): the
//                           event is the next one of `e`; or, only where the reader asked for runs
//                           (cluster wire version 3, worker-thread handle version 3), REPEAT (-2)
//                           and a count n >= 1: the next n events have the shape and the string
//                           values of the latest full record (the latest record that gave a
//                           shape's index), each written as its value ('v') columns only. Such a
//                           shape has at least one value column (so n is bounded by v's length),
//                           and no RAW stands between that record and the run.
//   e: object[]             events that are not flat (a nested object, an array value, undefined,
//                           a BigInt, toJSON, an array or a boxed primitive as the event, a Proxy
//                           that throws): sent as they are, so the channel's own serialisation
//                           (JSON, or V8's with `serialization: 'advanced'`) decides what arrives,
//                           exactly as before.
//
// The decoded event equals what the channel's serialisation of the event would give: same own
// keys in the same order, same values (NaN and ±Infinity become null under JSON either way).

/** Marks an event sent as it is, in `e`. */
export const RAW = -1;

/** Marks a run: a count, then that many events of the latest full record's shape and strings. */
export const REPEAT = -2;

/** A shape's code for a column of string-table indices. */
export const STRING = 115; // 's'
/** A shape's code for a column of values as they are (a number, a boolean, null). */
export const VALUE = 118; // 'v'

/** The encoded columns of one batch (see the file comment). */
export interface EncodedBatch {
  readonly s: string[];
  readonly k: (string[] & { 0: string })[];
  readonly v: (number | boolean | null)[];
  readonly e: object[];
}
