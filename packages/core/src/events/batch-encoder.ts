// The worker's side of batch-format.ts: events to columns. Private.
import { type EncodedBatch, RAW, STRING, VALUE } from './batch-format.js';

/**
 * Encodes batches of events, one at a time (a worker sends one message at a time). Reuses its
 * lookup tables between batches; the columns it returns belong to the caller.
 */
/** Key positions the encoder has slots for from the start (more grow as needed). */
const KEY_SLOTS = 16;

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
  private lastPrototype: unknown;
  private lastPrototypeFlat = false;

  encode(events: readonly object[]): EncodedBatch {
    const batch: EncodedBatch = { s: [], k: [], v: [], e: [] };
    this.stringIndex.clear();
    this.shapeIndex.clear();
    // Prototypes are checked again in every batch: one may have changed since.
    this.lastPrototype = undefined;
    // The last string seen per column, and its index: most columns repeat a value (a type, an
    // outcome), which then costs a comparison instead of a lookup.
    const lastString = this.lastString;
    const lastIndex = this.lastIndex;
    lastString.fill(undefined);
    const keys = this.keys;
    const codes = this.codes;
    let shapeKeys: string[] = [];
    let shapeCodes = '';
    let shape = -1;
    const v = batch.v;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as Record<string, unknown>;
      const start = v.length;
      let flat = false;
      try {
        if (this.isFlat(event)) {
          v.push(shape);
          let same = shape >= 0;
          let j = 0;
          // for-in rather than Object.keys: no array per event, and V8 reads the values through
          // its enum cache. isFlat made sure no prototype adds a key, so these are the own
          // enumerable string keys, in Object.keys' (and JSON's) order.
          for (const key in event) {
            const value = event[key];
            let code: number;
            if (typeof value === 'string') {
              code = STRING;
              if (value === lastString[j]) {
                v.push(lastIndex[j] as number);
              } else {
                const index = this.intern(batch.s, value);
                lastString[j] = value;
                lastIndex[j] = index;
                v.push(index);
              }
            } else if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
              code = VALUE;
              v.push(value);
            } else {
              same = false;
              j = -1;
              break;
            }
            if (same && (key !== shapeKeys[j] || shapeCodes.charCodeAt(j) !== code)) same = false;
            keys[j] = key;
            codes[j] = code;
            j++;
          }
          if (j >= 0) {
            flat = true;
            if (!same || j !== shapeKeys.length) {
              shapeKeys = keys.slice(0, j);
              shapeCodes = String.fromCharCode(...codes.slice(0, j));
              shape = this.shape(batch.k, shapeCodes, shapeKeys);
              v[start] = shape;
            }
          }
        }
      } catch {
        // A Proxy trap or a getter threw: the channel's serialisation will meet it too, and
        // count the event as unserialisable.
        flat = false;
      }
      if (!flat) {
        v.length = start;
        v.push(RAW);
        batch.e.push(event);
      }
    }
    return batch;
  }

  // Whether the event serialises as a plain object of its own enumerable string keys (sent in
  // columns), or must be sent as it is. (An own toJSON that is a function is a value the columns
  // do not take, so such an event goes as it is too.)
  private isFlat(event: object): boolean {
    const prototype: unknown = Object.getPrototypeOf(event);
    if (prototype !== this.lastPrototype) {
      this.lastPrototype = prototype;
      this.lastPrototypeFlat = isFlatPrototype(prototype);
    }
    return this.lastPrototypeFlat && !Array.isArray(event);
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

  private shape(shapes: EncodedBatch['k'], codes: string, keys: string[]): number {
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
