// The worker's side of batch-format.ts: events to columns. Private.
import { type EncodedBatch, RAW, REPEAT, STRING, VALUE } from './batch-format.js';

/**
 * Encodes batches of events, one at a time (a worker sends one message at a time). Reuses its
 * lookup tables between batches; the columns it returns belong to the caller.
 */
/** Key positions the encoder has slots for from the start (more grow as needed). */
const KEY_SLOTS = 16;
/** How many of a batch's latest shapes an event is compared with before the signature lookup. */
const RECENT_SHAPES = 8;

export class BatchEncoder {
  private readonly stringIndex = new Map<string, number>();
  private readonly shapeIndex = new Map<string, number>();
  // Per key position of the current event. Slots for the first KEY_SLOTS keys exist from the
  // start (lastString is reset to undefined per batch, never emptied): the code a first encoder
  // warmed up then reads and writes them in bounds, with the elements kinds it was optimized for,
  // in every later encoder too. Grown from empty, a new recorder's first batch deoptimized it
  // ("out of bounds", "wrong map") and V8 compiled it again.
  private readonly keys: string[] = new Array<string>(KEY_SLOTS).fill('');
  private readonly codes: number[] = new Array<number>(KEY_SLOTS).fill(0);
  private readonly lastString: (string | undefined)[] = new Array(KEY_SLOTS).fill(undefined);
  private readonly lastIndex: number[] = new Array<number>(KEY_SLOTS).fill(0);
  // The values column is written here and copied once, at its final length, into the batch: grown
  // by push, a batch's column allocated about three times its size on the way (every growth a
  // copy), garbage for the worker's collector. Kept between batches (never shrunk; what lies past
  // a batch's length is ignored), it holds only numbers, booleans and null. Packed (filled by
  // push): `new Array(n)` is holey, and so would be every copy, which JSON.stringify and the
  // structured clone then read the slow way.
  private readonly values: (number | boolean | null)[] = packedZeros(KEY_SLOTS);
  /** The value columns of an event that turned out not to repeat the previous one (see unrun). */
  private readonly scratch: (number | boolean | null)[] = packedZeros(KEY_SLOTS);
  /** Whether batches may hold runs (REPEAT): only for a reader that takes them. */
  private readonly runs: boolean;

  /**
   * `runs: true` writes consecutive events with the same keys, the same strings and values of the
   * same types as a run: a count, then only their value columns (batch-format.ts, REPEAT). Only
   * for a reader that asked for them (cluster wire version 3, worker-thread handle version 3).
   */
  constructor(options: { runs?: boolean } = {}) {
    this.runs = options.runs === true;
  }

  encode(events: readonly object[]): EncodedBatch {
    const batch = { s: [] as string[], k: [] as EncodedBatch['k'], e: [] as object[] };
    this.stringIndex.clear();
    this.shapeIndex.clear();
    // Prototypes are checked again in every batch: one may have changed since.
    let lastPrototype: unknown;
    let lastPrototypeFlat = false;
    // The last string seen per column, and its index: most columns repeat a value (a type, an
    // outcome), which then costs a comparison instead of a lookup.
    const lastString = this.lastString;
    const lastIndex = this.lastIndex;
    lastString.fill(undefined);
    const keys = this.keys;
    const codes = this.codes;
    // The shape of the previous flat event: its keys, codes and width (-1: none yet).
    let shapeKeys: string[] = [];
    let shapeCodes: number[] = [];
    // Every shape of this batch (its index in `k`): keys and codes, for the lookup below.
    const shapeKeyLists: string[][] = [];
    const shapeCodeLists: number[][] = [];
    let width = -1;
    let shape = -1;
    // Runs: whether the latest record is a flat event's (full or in a run) whose shape has a value
    // column, so the next event may repeat it; where the open run's count is (-1: none open).
    const runs = this.runs;
    let runnable = false;
    let countAt = -1;
    let valueWidth = 0;
    const v = this.values;
    let n = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as Record<string, unknown>;
      const start = n;
      let flat = false;
      try {
        const prototype: unknown = Object.getPrototypeOf(event);
        if (prototype !== lastPrototype) {
          lastPrototype = prototype;
          lastPrototypeFlat = isFlatPrototype(prototype);
        }
        // Flat: serialises as a plain object of its own enumerable string keys (sent in columns);
        // anything else is sent as it is. (An own toJSON that is a function is a value the columns
        // do not take, so such an event goes as it is too.)
        if (lastPrototypeFlat && !Array.isArray(event)) {
          // An event that may repeat the latest record is written as a run member (its value
          // columns only) until a key, a string or a value's type differs; then it is rewritten
          // as a full record of that shape so far (unrun) and read on as below.
          let repeating = runnable;
          let valuesAt = n;
          if (!repeating) {
            v[n++] = shape;
          } else if (countAt < 0) {
            v[n++] = REPEAT;
            v[n++] = 0;
            valuesAt = n;
          }
          // Keys and values are checked against the previous event's shape first (consecutive
          // events mostly share one): a key of that shape costs a comparison and its value's
          // type check. The first difference copies the keys matched so far to `keys`/`codes`,
          // and the rest of the event is read the general way.
          let same = true;
          let j = 0;
          // for-in rather than Object.keys: no array per event, and V8 reads the values through
          // its enum cache. A flat prototype adds no key, so these are the own enumerable string
          // keys, in Object.keys' (and JSON's) order.
          for (const key in event) {
            const value = event[key];
            if (repeating) {
              if (j < width && key === shapeKeys[j]) {
                if (shapeCodes[j] === STRING) {
                  if (value === lastString[j]) {
                    j++;
                    continue;
                  }
                } else if (
                  typeof value === 'number' ||
                  typeof value === 'boolean' ||
                  value === null
                ) {
                  v[n++] = value;
                  j++;
                  continue;
                }
              }
              n = this.unrun(start, valuesAt, n, j, shape, shapeCodes);
              repeating = false;
            }
            if (same) {
              if (j < width && key === shapeKeys[j]) {
                if (shapeCodes[j] === STRING) {
                  if (typeof value === 'string') {
                    if (value === lastString[j]) {
                      v[n++] = lastIndex[j] as number;
                    } else {
                      const index = this.intern(batch.s, value);
                      lastString[j] = value;
                      lastIndex[j] = index;
                      v[n++] = index;
                    }
                    j++;
                    continue;
                  }
                } else if (
                  typeof value === 'number' ||
                  typeof value === 'boolean' ||
                  value === null
                ) {
                  v[n++] = value;
                  j++;
                  continue;
                }
              }
              same = false;
              copyShape(shapeKeys, shapeCodes, j, keys, codes);
            }
            let code: number;
            if (typeof value === 'string') {
              code = STRING;
              if (value === lastString[j]) {
                v[n++] = lastIndex[j] as number;
              } else {
                const index = this.intern(batch.s, value);
                lastString[j] = value;
                lastIndex[j] = index;
                v[n++] = index;
              }
            } else if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
              code = VALUE;
              v[n++] = value;
            } else {
              j = -1;
              break;
            }
            keys[j] = key;
            codes[j] = code;
            j++;
          }
          if (repeating) {
            if (j === width) {
              // The same keys, strings and value types as the latest record: one more in its run.
              if (countAt < 0) countAt = start + 1;
              v[countAt] = (v[countAt] as number) + 1;
              flat = true;
            } else {
              // Fewer keys: a prefix of the shape, written in full below.
              n = this.unrun(start, valuesAt, n, j, shape, shapeCodes);
              repeating = false;
            }
          }
          if (!repeating && j >= 0) {
            flat = true;
            countAt = -1;
            if (!same || j !== width) {
              // Fewer keys than the previous shape and all of them the same: a prefix of it.
              if (same) copyShape(shapeKeys, shapeCodes, j, keys, codes);
              // Events of a few types often alternate (a request, a query, a request): the
              // batch's latest shapes are compared key by key before the signature lookup.
              shape = -1;
              const known = shapeKeyLists.length;
              const oldest = Math.max(0, known - RECENT_SHAPES);
              for (let candidate = known - 1; candidate >= oldest; candidate--) {
                if (
                  sameShape(
                    shapeKeyLists[candidate] as string[],
                    shapeCodeLists[candidate] as number[],
                    j,
                    keys,
                    codes,
                  )
                ) {
                  shape = candidate;
                  break;
                }
              }
              if (shape < 0) {
                shape = this.shape(batch.k, codes.slice(0, j), keys.slice(0, j));
                if (shape === known) {
                  shapeKeyLists.push(keys.slice(0, j));
                  shapeCodeLists.push(codes.slice(0, j));
                }
              }
              shapeKeys = shapeKeyLists[shape] as string[];
              shapeCodes = shapeCodeLists[shape] as number[];
              width = j;
              v[start] = shape;
              valueWidth = 0;
              for (let m = 0; m < j; m++) if (shapeCodes[m] === VALUE) valueWidth++;
            }
            runnable = runs && valueWidth > 0;
          }
        }
      } catch {
        // A Proxy trap or a getter threw: the channel's serialisation will meet it too, and
        // count the event as unserialisable.
        flat = false;
      }
      if (!flat) {
        n = start;
        v[n++] = RAW;
        batch.e.push(event);
        runnable = false;
        countAt = -1;
      }
    }
    return { s: batch.s, k: batch.k, v: v.slice(0, n), e: batch.e };
  }

  /**
   * Rewrites the event at `start`, written so far as a run member (a REPEAT header from `start`
   * if it opened the run, its value columns from `valuesAt` to `end`), as a full record of
   * `shape` up to key `j`: the shape's index, then per key its string's index (the latest
   * record's, which it repeated) or its value. Returns where the record continues.
   */
  private unrun(
    start: number,
    valuesAt: number,
    end: number,
    j: number,
    shape: number,
    shapeCodes: readonly number[],
  ): number {
    const v = this.values;
    const scratch = this.scratch;
    const lastIndex = this.lastIndex;
    let q = 0;
    for (let p = valuesAt; p < end; p++) scratch[q++] = v[p] as number | boolean | null;
    let n = start;
    v[n++] = shape;
    q = 0;
    for (let m = 0; m < j; m++) {
      v[n++] = shapeCodes[m] === STRING ? (lastIndex[m] as number) : (scratch[q++] as number);
    }
    return n;
  }

  private intern(strings: string[], value: string): number {
    let index = this.stringIndex.get(value);
    if (index === undefined) {
      index = strings.length;
      strings.push(value);
      this.stringIndex.set(value, index);
    }
    return index;
  }

  private shape(shapes: EncodedBatch['k'], codeList: readonly number[], keys: string[]): number {
    const codes = String.fromCharCode(...codeList);
    const signature = JSON.stringify([codes, keys]);
    let index = this.shapeIndex.get(signature);
    if (index === undefined) {
      index = shapes.length;
      shapes.push([codes, ...keys] as EncodedBatch['k'][number]);
      this.shapeIndex.set(signature, index);
    }
    return index;
  }
}

function packedZeros(length: number): number[] {
  const array: number[] = [];
  for (let i = 0; i < length; i++) array.push(0);
  return array;
}

// Whether a known shape has exactly the `count` keys and codes of the current event.
function sameShape(
  shapeKeys: readonly string[],
  shapeCodes: readonly number[],
  count: number,
  keys: readonly string[],
  codes: readonly number[],
): boolean {
  if (shapeKeys.length !== count) return false;
  for (let m = 0; m < count; m++) {
    if (shapeKeys[m] !== keys[m] || shapeCodes[m] !== codes[m]) return false;
  }
  return true;
}

// The first `count` keys and codes of the previous shape, into the current event's slots.
function copyShape(
  shapeKeys: readonly string[],
  shapeCodes: readonly number[],
  count: number,
  keys: string[],
  codes: number[],
): void {
  for (let m = 0; m < count; m++) {
    keys[m] = shapeKeys[m] as string;
    codes[m] = shapeCodes[m] as number;
  }
}

// Whether instances of `prototype` serialise as their own enumerable keys: no enumerable key up
// the chain (for-in would list it, JSON would not), no toJSON, not a boxed primitive (JSON writes
// those as their primitive). Arrays are checked per event.
function isFlatPrototype(prototype: unknown): boolean {
  if (prototype === null) return true;
  try {
    const p = prototype as { toJSON?: unknown };
    for (const _ in p) return false;
    return !(
      typeof p.toJSON === 'function' ||
      Array.isArray(p) ||
      p instanceof Number ||
      p instanceof String ||
      p instanceof Boolean ||
      p instanceof BigInt ||
      prototype === Number.prototype ||
      prototype === String.prototype ||
      prototype === Boolean.prototype ||
      prototype === BigInt.prototype
    );
  } catch {
    return false;
  }
}
