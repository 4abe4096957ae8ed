import { deserialize, serialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchDecoder, BatchFormatError } from './batch-decoder.js';
import { BatchEncoder } from './batch-encoder.js';

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype);

/** What Node's IPC channel does to a message with the default serialization. */
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
/** ... and with `serialization: 'advanced'`. */
const viaV8 = <T>(value: T): T => deserialize(serialize(value)) as T;

class WithToJson {
  constructor(readonly x: number) {}
  toJSON() {
    return { serialised: this.x };
  }
}
class Plain {
  type = 'plain';
  constructor(readonly n: number) {}
}

const key = fc.oneof(
  fc.constantFrom(...PROTO_NAMES),
  fc.string({ maxLength: 5 }),
  fc.constant('0'),
);
const primitive = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('job.done', 'w1', ''),
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, Number.MAX_VALUE, Number.MIN_VALUE),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof(
  { weight: 6, arbitrary: primitive },
  fc.constant(undefined),
  fc.array(primitive, { maxLength: 3 }),
  fc.dictionary(key, primitive, { maxKeys: 3 }),
  fc.constant(new Date(0)),
);
const flatEvent = fc.dictionary(key, primitive, { maxKeys: 6 });
const event = fc.oneof(
  { weight: 6, arbitrary: flatEvent },
  fc.dictionary(key, value, { maxKeys: 6 }),
  fc.integer().map((n) => new Plain(n)),
  fc.integer().map((n) => new WithToJson(n)),
  fc.array(primitive, { maxLength: 3 }),
  fc.constant(Object.assign(Object.create(null), { type: 'no-prototype' })),
  fc.string({ maxLength: 3 }).map((s) => new String(s)),
  fc.integer().map((n) => Object.assign(Object.create({ inherited: 1 }), { own: n })),
);

/**
 * Where `a` and `b` differ, if anywhere: prototypes, own keys in order (Reflect.ownKeys), values
 * by Object.is (NaN and -0 included), recursively; a Date by its time.
 */
function differs(a: unknown, b: unknown, path = '$'): string | undefined {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: prototype`;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime() ? undefined : `${path}: date`;
  const keysA = Reflect.ownKeys(a);
  const keysB = Reflect.ownKeys(b);
  if (JSON.stringify(keysA.map(String)) !== JSON.stringify(keysB.map(String))) {
    return `${path}: keys ${keysA.map(String)} vs ${keysB.map(String)}`;
  }
  for (const key of keysA) {
    const da = Object.getOwnPropertyDescriptor(a, key);
    const db = Object.getOwnPropertyDescriptor(b, key);
    if (da?.enumerable !== db?.enumerable) return `${path}.${String(key)}: enumerable`;
    const inner = differs(da?.value, db?.value, `${path}.${String(key)}`);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

function roundTrip(events: object[], channel: <T>(v: T) => T, decoder = new BatchDecoder()) {
  const encoded = new BatchEncoder().encode(events);
  return decoder.decode(channel({ ...encoded }));
}

/** The same with runs (cluster wire version 3, worker-thread handle version 3). */
function roundTripRuns(events: object[], channel: <T>(v: T) => T, decoder = new BatchDecoder()) {
  const encoded = new BatchEncoder({ runs: true }).encode(events);
  return decoder.decode(channel({ ...encoded }), true);
}

describe('batch codec', () => {
  it('gives every event exactly what the channel would have made of it alone (JSON and advanced, compiled and generic)', () => {
    const generic = new BatchDecoder({ compile: false });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        for (const channel of [viaJson, viaV8]) {
          // The channel of the encoded batch, and the channel of each event alone.
          const expected = events.map((e) => channel({ e }).e);
          for (const decoder of [new BatchDecoder(), generic]) {
            const decoded = roundTrip(events, channel, decoder);
            expect(decoded).toHaveLength(expected.length);
            for (let i = 0; i < decoded.length; i++) {
              const difference = differs(decoded[i], expected[i]);
              expect(difference, JSON.stringify(expected[i])).toBeUndefined();
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('decodes runs of events that share a shape, a prefix of it or its keys with values of other types, as the channel would', () => {
    // Events drawn from a few key lists (one a prefix of another, one the same keys in another
    // order, one with an Object.prototype name), each value of any type: consecutive events share
    // a shape, extend it, stop short of it, or keep its keys with a value that changes column.
    const keyLists = [
      ['type', 'route', 'status'],
      ['type', 'route'],
      ['type', 'route', 'status', 'ms', 'ok'],
      ['route', 'type', 'status'],
      ['type', 'constructor', '__proto__'],
    ];
    const shaped = fc
      .tuple(fc.constantFrom(...keyLists), fc.array(value, { minLength: 5, maxLength: 5 }))
      .map(([keys, values]) => {
        const e: Record<string, unknown> = {};
        keys.forEach((k, j) => {
          Object.defineProperty(e, k, {
            value: values[j],
            enumerable: true,
            writable: true,
            configurable: true,
          });
        });
        return e;
      });
    const run = fc.array(
      fc.tuple(shaped, fc.integer({ min: 1, max: 4 })).map(([e, n]) => Array(n).fill(e)),
      { maxLength: 20 },
    );
    const generic = new BatchDecoder({ compile: false });
    fc.assert(
      fc.property(run, (runs) => {
        const events = runs.flat() as object[];
        for (const channel of [viaJson, viaV8]) {
          const expected = events.map((e) => channel({ e }).e);
          for (const decoder of [new BatchDecoder(), generic]) {
            const decoded = roundTrip(events, channel, decoder);
            expect(decoded).toHaveLength(expected.length);
            for (let i = 0; i < decoded.length; i++) {
              expect(differs(decoded[i], expected[i]), JSON.stringify(expected[i])).toBeUndefined();
            }
          }
        }
      }),
      {
        numRuns: 300,
        // A shape; an event leaving it after one key, with a flat key before the value that
        // sends it as it is; then a prefix of the shape (whose keys must come from the shape).
        examples: [
          [
            [
              [{ type: 'a', route: '/', status: 1 }],
              [{ type: 'a', x: 1, y: [1] }],
              [{ type: 'a', route: '/' }],
            ],
          ],
        ],
      },
    );
  });

  it('encodes a batch the same with an encoder that encoded others before as with a new one', () => {
    // A worker's encoder lives as long as its recorder and keeps its lookup tables and its values
    // column between batches: nothing of an earlier (longer) batch may leak into a later one.
    fc.assert(
      fc.property(fc.array(fc.array(event, { maxLength: 30 }), { maxLength: 5 }), (batches) => {
        const reused = new BatchEncoder();
        for (const events of batches) {
          expect(reused.encode(events)).toEqual(new BatchEncoder().encode(events));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('makes a key "__proto__" an own property, never the prototype', () => {
    const events = [JSON.parse('{"__proto__": "x", "type": "t"}') as object];
    for (const decoder of [new BatchDecoder(), new BatchDecoder({ compile: false })]) {
      const [decoded] = roundTrip(events, viaJson, decoder);
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
      expect(Object.hasOwn(decoded as object, '__proto__')).toBe(true);
      expect(decoded).toStrictEqual(events[0]);
    }
  });

  it('sends flat events as columns of primitives, each string once', () => {
    const events = Array.from({ length: 100 }, (_, seq) => ({
      type: 'job.done',
      worker: 'w1',
      seq,
    }));
    const encoded = new BatchEncoder().encode(events);
    expect(encoded.e).toEqual([]);
    expect(encoded.s).toEqual(['job.done', 'w1']);
    expect(encoded.k).toEqual([['ssv', 'type', 'worker', 'seq']]);
    expect(encoded.v).toHaveLength(400);
    expect(JSON.stringify(encoded).length).toBeLessThan(JSON.stringify(events).length / 3);
  });

  it('refuses a damaged batch whole with a BatchFormatError, whatever the damage', () => {
    const events = [{ type: 'a', n: 1 }, { type: 'b', n: 2 }, [1], { type: 'a', n: 3 }];
    const good = viaJson({ ...new BatchEncoder().encode(events) });
    const junk = fc.oneof(
      fc.constantFrom(-1, -2, 0, 1, 2, 99, 0.5, 'length', '__proto__', 'constructor', null, true),
      fc.anything(),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('s', 'k', 'v', 'e'),
        fc.nat(12),
        junk,
        fc.boolean(),
        (column, at, replacement, replaceWhole) => {
          const damaged = structuredClone(good) as Record<string, unknown>;
          if (replaceWhole) damaged[column] = replacement;
          else {
            const array = damaged[column] as unknown[];
            array[at % (array.length + 1)] = replacement;
          }
          for (const decoder of [new BatchDecoder(), new BatchDecoder({ compile: false })]) {
            try {
              const decoded = decoder.decode(damaged as never);
              // Damage that still decodes is a batch of objects or of the raw values as sent.
              expect(Array.isArray(decoded)).toBe(true);
            } catch (error) {
              expect(error).toBeInstanceOf(BatchFormatError);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
    // A string column's index must name a string of the table; a shape index must name a shape.
    for (const [at, bad] of [
      [1, 'length'],
      [1, 99],
      [1, 0.5],
      [1, '__proto__'],
      [0, 7],
      [0, 'constructor'],
      // not a number: as a property key it would run its own toString/valueOf (found on Node 22
      // by the property above: `{ toString: '' }` threw a TypeError, not a BatchFormatError)
      [0, { toString: '' }],
      [1, { toString: '' }],
      [
        1,
        {
          toString() {
            throw new Error('toString');
          },
        },
      ],
      [0, Symbol('index')],
    ] as const) {
      const damaged = structuredClone(good) as { v: unknown[] };
      damaged.v[at] = bad;
      for (const decoder of [new BatchDecoder(), new BatchDecoder({ compile: false })]) {
        expect(() => decoder.decode(damaged as never)).toThrow(BatchFormatError);
      }
    }
    // Values cut short: the last event's row ends before its shape does (a value column read past
    // the end would otherwise arrive as undefined, which no channel makes of a value).
    const flat = viaJson({ ...new BatchEncoder().encode([{ type: 'a', n: 1, ok: true }]) });
    for (let keep = 1; keep < flat.v.length; keep++) {
      const cut = { ...flat, v: flat.v.slice(0, keep) };
      for (const decoder of [new BatchDecoder(), new BatchDecoder({ compile: false })]) {
        expect(() => decoder.decode(cut as never)).toThrow(BatchFormatError);
      }
    }
  });

  it('sends an event whose getter or Proxy trap throws as it is, for the channel to refuse', () => {
    const throwing = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    const getter = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    const encoded = new BatchEncoder().encode([{ ok: 1 }, throwing, getter, { ok: 2 }]);
    expect(encoded.e).toEqual([throwing, getter]);
    expect(encoded.v).toEqual([0, 1, -1, -1, 0, 2]);
  });
});

describe('batch codec with runs (REPEAT)', () => {
  // Events drawn from a few key lists and few values, so that consecutive events often repeat the
  // previous one's keys and strings, or differ from it in one key, one string, one value's type,
  // a missing or an extra key, or a value that is not flat.
  const keyLists = [
    ['type', 'route', 'status'],
    ['type', 'route'],
    ['type', 'route', 'status', 'ms', 'ok'],
    ['route', 'type', 'status'],
    ['type', 'constructor', '__proto__'],
    ['type'],
  ];
  const few = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('a', 'b', '', '__proto__') },
    { weight: 4, arbitrary: fc.constantFrom(0, 1, -0, 2.5, Number.NaN, true, null) },
    { weight: 1, arbitrary: value },
  );
  const shaped = fc
    .tuple(fc.constantFrom(...keyLists), fc.array(few, { minLength: 5, maxLength: 5 }))
    .map(([keys, values]) => {
      const e: Record<string, unknown> = {};
      keys.forEach((k, j) => {
        Object.defineProperty(e, k, {
          value: values[j],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      });
      return e;
    });
  const runs = fc
    .array(
      fc.oneof(
        { weight: 8, arbitrary: fc.tuple(shaped, fc.integer({ min: 1, max: 5 })) },
        { weight: 1, arbitrary: fc.tuple(event, fc.integer({ min: 1, max: 2 })) },
      ),
      { maxLength: 25 },
    )
    .map((parts) => parts.flatMap(([e, n]) => Array.from({ length: n }, () => ({ ...e }))));

  it('gives every event what the channel would have made of it alone (JSON and advanced, compiled and generic)', () => {
    const generic = new BatchDecoder({ compile: false });
    fc.assert(
      fc.property(fc.oneof(runs, fc.array(event, { maxLength: 40 })), (events) => {
        for (const channel of [viaJson, viaV8]) {
          const expected = events.map((e) => channel({ e }).e);
          for (const decoder of [new BatchDecoder(), generic]) {
            const decoded = roundTripRuns(events, channel, decoder);
            expect(decoded).toHaveLength(expected.length);
            for (let i = 0; i < decoded.length; i++) {
              expect(differs(decoded[i], expected[i]), JSON.stringify(expected[i])).toBeUndefined();
            }
          }
        }
      }),
      {
        numRuns: 400,
        examples: [
          // a run; a member leaving it at its second string; a prefix; a RAW between two runs;
          // one leaving it at its value's type; one with a key more
          [
            [
              { type: 'a', route: '/', status: 1 },
              { type: 'a', route: '/', status: 2 },
              { type: 'a', route: '/x', status: 3 },
              { type: 'a', route: '/x' },
              { type: 'a', route: '/x', status: 4 },
              { type: 'a', route: '/x', status: 5 },
              { type: 'a', route: [1], status: 5 },
              { type: 'a', route: '/x', status: 6 },
              { type: 'a', route: '/x', status: 'now a string' },
              { type: 'a', route: '/x', status: 7 },
              { type: 'a', route: '/x', status: 8, ms: 1 },
            ],
          ],
        ],
      },
    );
  });

  it('writes a run of events that repeat the previous keys and strings as its value columns only', () => {
    const events = Array.from({ length: 100 }, (_, seq) => ({
      type: 'job.done',
      worker: 'w1',
      seq,
    }));
    const encoded = new BatchEncoder({ runs: true }).encode(events);
    expect(encoded.s).toEqual(['job.done', 'w1']);
    expect(encoded.k).toEqual([['ssv', 'type', 'worker', 'seq']]);
    expect(encoded.v).toEqual([0, 0, 1, 0, -2, 99, ...Array.from({ length: 99 }, (_, i) => i + 1)]);
    // A shape without a value column repeats nothing: each event is its shape's index.
    expect(new BatchEncoder({ runs: true }).encode([{ type: 'a' }, { type: 'a' }]).v).toEqual([
      0, 0, 0, 0,
    ]);
  });

  it('encodes a batch the same with an encoder that encoded others before as with a new one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(runs, fc.array(event, { maxLength: 20 })), { maxLength: 5 }),
        (batches) => {
          const reused = new BatchEncoder({ runs: true });
          for (const events of batches) {
            expect(reused.encode(events)).toEqual(new BatchEncoder({ runs: true }).encode(events));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a run that a version without runs, a RAW, a missing record or a count sends wrong', () => {
    const events = [
      { type: 'a', n: 1 },
      { type: 'a', n: 2 },
      { type: 'a', n: 3 },
    ];
    const good = viaJson({ ...new BatchEncoder({ runs: true }).encode(events) });
    expect(good.v).toEqual([0, 0, 1, -2, 2, 2, 3]);
    const decoders = [new BatchDecoder(), new BatchDecoder({ compile: false })];
    for (const decoder of decoders) {
      expect(decoder.decode(good, true)).toEqual(events);
      // a reader that did not ask for runs (version 2) takes REPEAT as damage
      expect(() => decoder.decode(good)).toThrow(BatchFormatError);
    }
    // each damaged `v` with the raw events it would need (none but for the RAW case)
    const damaged: [unknown[], object[]][] = [
      [[-2, 1, 5], []], // no record before the run
      [[0, 0, 1, -1, -2, 1, 2], [{ raw: true }]], // a RAW between the record and the run
      [[0, 0, 1, -2, 0], []], // an empty run
      [[0, 0, 1, -2, -1, 2], []], // a negative count
      [[0, 0, 1, -2, 3, 2, 3], []], // a count past the values
      [[0, 0, 1, -2, 1.5, 2], []], // not an integer
      [[0, 0, 1, -2, '1', 2], []], // not a number
      [[0, 0, 1, -2, { valueOf: () => 1 }, 2], []],
      [[0, 0, 1, -2], []], // the count missing
      [[0, 0, 1, -2, 1e15, 2], []], // a huge count
    ];
    for (const [v, e] of damaged) {
      for (const decoder of decoders) {
        // without the damage, the same columns decode
        if (e.length > 0)
          expect(decoder.decode({ ...good, v: [0, 0, 1, -1], e }, true)).toHaveLength(2);
        expect(() => decoder.decode({ ...good, v, e }, true), JSON.stringify(v)).toThrow(
          BatchFormatError,
        );
      }
    }
    // A shape with no value column cannot repeat: its run would have no length bound.
    const noValues = { s: ['a'], k: [['s', 'type']], v: [0, 0, -2, 1e9], e: [] };
    for (const decoder of decoders) {
      expect(() => decoder.decode(noValues, true)).toThrow(BatchFormatError);
    }
  });

  it('refuses a damaged batch with runs whole with a BatchFormatError, whatever the damage', () => {
    const events = [
      { type: 'a', n: 1 },
      { type: 'a', n: 2 },
      { type: 'b', n: 2 },
      [1],
      { type: 'b', n: 3 },
      { type: 'b', n: 4 },
    ];
    const good = viaJson({ ...new BatchEncoder({ runs: true }).encode(events) });
    fc.assert(
      fc.property(
        fc.constantFrom('s', 'k', 'v', 'e'),
        fc.nat(14),
        fc.oneof(fc.constantFrom(-1, -2, 0, 1, 2, 3, 99, 1e9, 0.5, null, true), fc.anything()),
        (column, at, replacement) => {
          const damaged = structuredClone(good) as Record<string, unknown>;
          const array = damaged[column] as unknown[];
          array[at % (array.length + 1)] = replacement;
          for (const decoder of [new BatchDecoder(), new BatchDecoder({ compile: false })]) {
            try {
              const decoded = decoder.decode(damaged as never, true);
              expect(Array.isArray(decoded)).toBe(true);
              // never more events than the values can hold (a count bounded by v)
              expect(decoded.length).toBeLessThanOrEqual((damaged.v as unknown[]).length + 1);
            } catch (error) {
              expect(error).toBeInstanceOf(BatchFormatError);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
