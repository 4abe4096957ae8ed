// The compact form of a batch of events on the IPC channel. Private.
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
//                           event is the next one of `e`
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

const STRING = 115; // 's'
const VALUE = 118; // 'v'

/** The encoded columns of one batch (see the file comment). */
export interface EncodedBatch {
  readonly s: string[];
  readonly k: (string[] & { 0: string })[];
  readonly v: (number | boolean | null)[];
  readonly e: object[];
}

/**
 * Encodes batches of events, one at a time (a worker sends one message at a time). Reuses its
 * lookup tables between batches; the columns it returns belong to the caller.
 */
export class BatchEncoder {
  private readonly stringIndex = new Map<string, number>();
  private readonly shapeIndex = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly codes: number[] = [];
  private readonly lastString: (string | undefined)[] = [];
  private readonly lastIndex: number[] = [];
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
    lastString.length = 0;
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

/** A batch that does not decode (another version's, or damaged): nothing of it is registered. */
export class BatchFormatError extends Error {}

/** Builds one event of a shape from `v` at `p` (its first value) and the string table `s`; undefined when a string index is wrong. */
type Maker = (v: readonly unknown[], p: number, s: readonly string[]) => object | undefined;

/** Shapes whose maker is compiled (most a process ever sends: a few event types). */
const MAX_COMPILED_SHAPES = 256;
/** Wider shapes are built by the generic loop. */
const MAX_COMPILED_KEYS = 64;

/**
 * Turns batches back into events on the primary. A shape's events are built by a function made
 * for it (an object literal with the shape's keys: V8 then allocates each event with its final
 * layout, instead of growing it one key at a time), compiled once and kept for the shapes seen
 * first; others, and every shape where code generation is disallowed
 * (`--disallow-code-generation-from-strings`), take a generic loop with the same result.
 */
export class BatchDecoder {
  private readonly compiled = new Map<string, Maker>();
  private compiling: boolean;

  /** `compile: false` builds every shape with the generic loop (tests compare the two). */
  constructor(options: { compile?: boolean } = {}) {
    this.compiling = options.compile ?? true;
  }

  /**
   * The events of an encoded batch, in their order. Checks every index and type against the
   * columns and throws {@link BatchFormatError} before anything is returned when one is wrong,
   * so a damaged message is refused whole. A key `__proto__` becomes an own property, as
   * JSON.parse makes it.
   */
  decode(batch: {
    readonly s: unknown;
    readonly k: unknown;
    readonly v: unknown;
    readonly e: unknown;
  }): object[] {
    const { s: strings, k: shapes, v, e: raw } = batch;
    if (
      !Array.isArray(strings) ||
      !Array.isArray(shapes) ||
      !Array.isArray(v) ||
      !Array.isArray(raw)
    ) {
      throw new BatchFormatError('columns are not arrays');
    }
    for (const s of strings) if (typeof s !== 'string') throw new BatchFormatError('string table');
    const makers: Maker[] = [];
    const widths: number[] = [];
    for (const shape of shapes) {
      makers.push(this.makerFor(shape));
      widths.push((shape as unknown[]).length - 1);
    }
    const events: object[] = [];
    let next = 0;
    let p = 0;
    while (p < v.length) {
      const index: unknown = v[p++];
      if (index === RAW) {
        if (next >= raw.length) throw new BatchFormatError('raw event missing');
        events.push(raw[next++] as object);
        continue;
      }
      const make = typeof index === 'number' ? makers[index] : undefined;
      const width = widths[index as number] as number;
      if (make === undefined || p + width > v.length) throw new BatchFormatError('event');
      const event = make(v, p, strings);
      if (event === undefined) throw new BatchFormatError('string index');
      events.push(event);
      p += width;
    }
    if (next !== raw.length) throw new BatchFormatError('raw events left over');
    return events;
  }

  private makerFor(shape: unknown): Maker {
    if (
      !Array.isArray(shape) ||
      typeof shape[0] !== 'string' ||
      shape[0].length !== shape.length - 1
    ) {
      throw new BatchFormatError('shape');
    }
    const codes = shape[0] as string;
    const keys = shape.slice(1) as string[];
    for (let j = 0; j < keys.length; j++) {
      const code = codes.charCodeAt(j);
      if (typeof keys[j] !== 'string' || (code !== STRING && code !== VALUE)) {
        throw new BatchFormatError('shape');
      }
    }
    if (!this.compiling || keys.length > MAX_COMPILED_KEYS) return genericMaker(codes, keys);
    const signature = JSON.stringify(shape);
    let make = this.compiled.get(signature);
    if (make === undefined) {
      if (this.compiled.size >= MAX_COMPILED_SHAPES) return genericMaker(codes, keys);
      try {
        make = compileMaker(codes, keys);
      } catch {
        this.compiling = false;
        return genericMaker(codes, keys);
      }
      this.compiled.set(signature, make);
    }
    return make;
  }
}

// `{ ["key"]: value, ... }`: every key a JSON string literal (so no key can inject code) and
// computed (so `__proto__` is an own property, not the prototype).
function compileMaker(codes: string, keys: readonly string[]): Maker {
  const checks: string[] = [];
  const fields: string[] = [];
  for (let j = 0; j < keys.length; j++) {
    if (codes.charCodeAt(j) === STRING) {
      checks.push(`const a${j} = s[v[p + ${j}]]; if (typeof a${j} !== 'string') return undefined;`);
      fields.push(`[${JSON.stringify(keys[j])}]: a${j}`);
    } else {
      fields.push(`[${JSON.stringify(keys[j])}]: v[p + ${j}]`);
    }
  }
  return new Function(
    'v',
    'p',
    's',
    `${checks.join(' ')} return { ${fields.join(', ')} };`,
  ) as Maker;
}

function genericMaker(codes: string, keys: readonly string[]): Maker {
  const proto = keys.indexOf('__proto__');
  return (v, p, s) => {
    const event: Record<string, unknown> = {};
    for (let j = 0; j < keys.length; j++) {
      let value: unknown = v[p + j];
      if (codes.charCodeAt(j) === STRING) {
        value = s[value as number];
        if (typeof value !== 'string') return undefined;
      }
      if (j === proto) {
        Object.defineProperty(event, '__proto__', {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      } else {
        event[keys[j] as string] = value;
      }
    }
    return event;
  };
}
