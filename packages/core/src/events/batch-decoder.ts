// The primary's side of batch-format.ts: columns back to events. Private.
import { RAW, REPEAT, STRING, VALUE } from './batch-format.js';

/** A batch that does not decode (another version's, or damaged): nothing of it is registered. */
export class BatchFormatError extends Error {}

/** Builds one event of a shape from `v` at `p` (its first value) and the string table `s`; undefined when a string index is wrong. */
type Maker = (v: readonly unknown[], p: number, s: readonly string[]) => object | undefined;

/** Builds one event of a run from its value columns at `p` and the strings of the full record whose values start at `t` (already checked). */
type Repeater = (v: readonly unknown[], p: number, s: readonly string[], t: number) => object;

/** What the decoder keeps per shape: its makers and how many value columns a run member has. */
interface ShapeCode {
  readonly make: Maker;
  readonly repeat: Repeater;
  readonly width: number;
  readonly values: number;
}

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
  private readonly compiled = new Map<string, ShapeCode>();
  private compiling: boolean;

  /** `compile: false` builds every shape with the generic loop (tests compare the two). */
  constructor(options: { compile?: boolean } = {}) {
    this.compiling = options.compile ?? true;
  }

  /**
   * The events of an encoded batch, in their order. Checks every index and type against the
   * columns and throws {@link BatchFormatError} before anything is returned when one is wrong,
   * so a damaged message is refused whole. A key `__proto__` becomes an own property, as
   * JSON.parse makes it. Runs (REPEAT) are taken only with `runs: true`, for a wire version
   * that has them; in any other batch they are damage.
   */
  decode(
    batch: {
      readonly s: unknown;
      readonly k: unknown;
      readonly v: unknown;
      readonly e: unknown;
    },
    runs = false,
  ): object[] {
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
    const codes: ShapeCode[] = [];
    for (const shape of shapes) codes.push(this.codeFor(shape));
    const events: object[] = [];
    let next = 0;
    let p = 0;
    // The latest full record, which a run repeats: its shape (-1: none, or a RAW since) and
    // where its values are.
    let last: ShapeCode | undefined;
    let lastAt = 0;
    while (p < v.length) {
      const index: unknown = v[p++];
      if (index === RAW) {
        if (next >= raw.length) throw new BatchFormatError('raw event missing');
        events.push(raw[next++] as object);
        last = undefined;
        continue;
      }
      if (index === REPEAT && runs) {
        const count: unknown = v[p++];
        // A run member has a value column at least: the count is bounded by what v holds.
        if (
          last === undefined ||
          last.values === 0 ||
          typeof count !== 'number' ||
          !Number.isInteger(count) ||
          count < 1 ||
          p + count * last.values > v.length
        ) {
          throw new BatchFormatError('run');
        }
        const repeat = last.repeat;
        const step = last.values;
        for (let c = 0; c < count; c++) {
          events.push(repeat(v, p, strings, lastAt));
          p += step;
        }
        continue;
      }
      // Only a number indexes: any other value as a property key would run its own
      // toString/valueOf (a damaged batch's `{ toString: '' }` throws a TypeError there).
      if (typeof index !== 'number') throw new BatchFormatError('event');
      const code = codes[index];
      if (code === undefined || p + code.width > v.length) throw new BatchFormatError('event');
      const event = code.make(v, p, strings);
      if (event === undefined) throw new BatchFormatError('string index');
      events.push(event);
      last = code;
      lastAt = p;
      p += code.width;
    }
    if (next !== raw.length) throw new BatchFormatError('raw events left over');
    return events;
  }

  private codeFor(shape: unknown): ShapeCode {
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
    if (!this.compiling || keys.length > MAX_COMPILED_KEYS) return genericCode(codes, keys);
    const signature = JSON.stringify(shape);
    let code = this.compiled.get(signature);
    if (code === undefined) {
      if (this.compiled.size >= MAX_COMPILED_SHAPES) return genericCode(codes, keys);
      try {
        code = {
          make: compileMaker(codes, keys),
          repeat: compileRepeater(codes, keys),
          width: keys.length,
          values: valueColumns(codes),
        };
      } catch {
        this.compiling = false;
        return genericCode(codes, keys);
      }
      this.compiled.set(signature, code);
    }
    return code;
  }
}

// `{ ["key"]: value, ... }`: every key a JSON string literal (so no key can inject code) and
// computed (so `__proto__` is an own property, not the prototype).
function compileMaker(codes: string, keys: readonly string[]): Maker {
  const checks: string[] = [];
  const fields: string[] = [];
  for (let j = 0; j < keys.length; j++) {
    if (codes.charCodeAt(j) === STRING) {
      checks.push(
        `const i${j} = v[p + ${j}]; if (typeof i${j} !== 'number') return undefined; const a${j} = s[i${j}]; if (typeof a${j} !== 'string') return undefined;`,
      );
      fields.push(`${literalKey(keys[j] as string)}: a${j}`);
    } else {
      fields.push(`${literalKey(keys[j] as string)}: v[p + ${j}]`);
    }
  }
  return new Function(
    'v',
    'p',
    's',
    `${checks.join(' ')} return { ${fields.join(', ')} };`,
  ) as Maker;
}

// A run member: `{ ["key"]: s[v[t + j]] (a string of the full record), ["key"]: v[p + n] (its
// n-th value column), ... }`.
function compileRepeater(codes: string, keys: readonly string[]): Repeater {
  const fields: string[] = [];
  let n = 0;
  for (let j = 0; j < keys.length; j++) {
    const value = codes.charCodeAt(j) === STRING ? `s[v[t + ${j}]]` : `v[p + ${n++}]`;
    fields.push(`${literalKey(keys[j] as string)}: ${value}`);
  }
  return new Function('v', 'p', 's', 't', `return { ${fields.join(', ')} };`) as Repeater;
}

function valueColumns(codes: string): number {
  let n = 0;
  for (let j = 0; j < codes.length; j++) if (codes.charCodeAt(j) === VALUE) n++;
  return n;
}

function genericCode(codes: string, keys: readonly string[]): ShapeCode {
  return {
    make: genericMaker(codes, keys),
    repeat: genericRepeater(codes, keys),
    width: keys.length,
    values: valueColumns(codes),
  };
}

/** `__proto__` as an own data property of `event`, as `JSON.parse` and structured clone make it. */
function setOwnProto(event: Record<string, unknown>, value: unknown): void {
  Object.defineProperty(event, '__proto__', {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

function genericRepeater(codes: string, keys: readonly string[]): Repeater {
  const proto = keys.indexOf('__proto__');
  return (v, p, s, t) => {
    const event: Record<string, unknown> = {};
    let n = 0;
    for (let j = 0; j < keys.length; j++) {
      const value = codes.charCodeAt(j) === STRING ? s[v[t + j] as number] : v[p + n++];
      if (j === proto) setOwnProto(event, value);
      else event[keys[j] as string] = value;
    }
    return event;
  };
}

function genericMaker(codes: string, keys: readonly string[]): Maker {
  const proto = keys.indexOf('__proto__');
  return (v, p, s) => {
    const event: Record<string, unknown> = {};
    for (let j = 0; j < keys.length; j++) {
      let value: unknown = v[p + j];
      if (codes.charCodeAt(j) === STRING) {
        value = typeof value === 'number' ? s[value] : undefined;
        if (typeof value !== 'string') return undefined;
      }
      if (j === proto) setOwnProto(event, value);
      else event[keys[j] as string] = value;
    }
    return event;
  };
}

// A key as an object literal's property name: a string literal (a literal keeps the object's
// layout in the function's boilerplate, created whole), except `__proto__`, which as a literal
// name would set the prototype: computed there, an own property as JSON.parse makes it.
function literalKey(key: string): string {
  return key === '__proto__' ? `[${JSON.stringify(key)}]` : JSON.stringify(key);
}
