// The single-attribute fast path: a metric whose attribute function is exactly
// `(e) => ({ name: e.property })` reads the property itself and never makes the object. It must
// be indistinguishable from calling the function: the same points, values, drops, overflow and
// change records, the event's property read once per event, for every key, property and value.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricEvent } from '../events/index.js';
import { resetSpecializer } from '../internal/specialize.js';
import { histogram } from './histogram.js';
import { counter } from './number-metrics.js';
import { singleAttribute } from './single-attribute.js';
import type { MetricUpdate } from './types.js';

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype);

describe('singleAttribute', () => {
  it.each([
    ['(e) => ({ outcome: e.outcome })', 'outcome', 'outcome'],
    ['e => ({ outcome: e.outcome })', 'outcome', 'outcome'],
    ['e=>({outcome:e.outcome})', 'outcome', 'outcome'],
    ['( event ) =>  (  {  result :  event . found ,  }  )', 'result', 'found'],
    ["(e) => ({ 'http.request.method': e.method })", 'http.request.method', 'method'],
    ['(e) => ({ "db.système": e.system })', 'db.système', 'system'],
    ["(e) => ({ '': e.x })", '', 'x'],
    ['($) => ({ _k$: $.default })', '_k$', 'default'],
    ['(e) => ({ constructor: e.toString })', 'constructor', 'toString'],
  ])('takes %s', (source, name, property) => {
    const fn = new Function(`return ${source}`)();
    expect(singleAttribute(fn)).toEqual({ name, property });
  });

  it.each([
    '(e) => ({ outcome: e.outcome, code: e.code })',
    '(e) => ({ outcome: x.outcome })',
    '(e, x) => ({ outcome: x.outcome })',
    '(e) => ({ [k]: e.outcome })',
    '(e) => ({ outcome })',
    '(e) => ({ ...e })',
    '(e) => ({ outcome: e.outcome() })',
    '(e) => ({ outcome: e?.outcome })',
    '(e) => ({ outcome: e.a.b })',
    "(e) => ({ outcome: e['outcome'] })",
    '(e) => ({ outcome: e.outcome /* why */ })',
    '(e) => ({ __proto__: e.outcome })',
    "(e) => ({ '__proto__': e.outcome })",
    "(e) => ({ 'a\\u0062': e.outcome })",
    '(e) => { return { outcome: e.outcome }; }',
    '(e) => ({ outcome: e.outcome }).x',
    'async (e) => ({ outcome: e.outcome })',
    'function (e) { return { outcome: e.outcome }; }',
    '(e = {}) => ({ outcome: e.outcome })',
    '({ outcome }) => ({ outcome: outcome.x })',
  ])('leaves %s to the function', (source) => {
    expect(singleAttribute(new Function(`return ${source}`)())).toBeUndefined();
  });

  it('leaves what is no plain function text: bound functions, proxies, non-functions', () => {
    const fn = (e: { outcome: string }) => ({ outcome: e.outcome });
    expect(singleAttribute(fn)).toEqual({ name: 'outcome', property: 'outcome' });
    expect(singleAttribute(fn.bind(null))).toBeUndefined();
    expect(singleAttribute(new Proxy(fn, {}))).toBeUndefined();
    const lying = Object.assign((e: { a: string }) => ({ a: e.a, b: 1 }), {
      toString: () => '(e) => ({ a: e.a })',
    });
    expect(singleAttribute(lying)).toBeUndefined();
    for (const value of [undefined, null, '(e) => ({ a: e.a })', {}, 1]) {
      expect(singleAttribute(value)).toBeUndefined();
    }
  });
});

class Hit extends MetricEvent {
  reads = 0;
  constructor(property: string, raw: unknown) {
    super();
    // Own and read-counting, whatever the property's name (an Object.prototype name too).
    Object.defineProperty(this, property, {
      enumerable: true,
      get: () => {
        this.reads++;
        return raw;
      },
    });
  }
}

// A key the fast path takes: identifiers (Object.prototype's names too) and quoted strings.
const keys = fc.oneof(
  fc.constantFrom(...PROTO_NAMES.filter((n) => n !== '__proto__'), 'outcome', 'a', 'b', '_'),
  fc.constantFrom('http.request.method', '', '0', '1e3', ' spaced ', 'é', 'a-b', 'x'.repeat(300)),
  fc.string({ maxLength: 8 }).filter((s) => !/['\\\n\r\u2028\u2029]/.test(s) && s !== '__proto__'),
);
const properties = fc.constantFrom('outcome', 'code', 'constructor', 'toString', 'valueOf');
// Values of every kind an event may carry: primitives the memo holds, and what it does not.
const values = fc.oneof(
  fc.constantFrom(undefined, null, Number.NaN, -0, 0, Infinity, -Infinity, true, false, 1n),
  fc.constantFrom('success', 'failure', 'x'.repeat(1100), 'r\ud800', 'r\udc00', ''),
  fc.string({ maxLength: 4 }),
  fc.integer({ min: -3, max: 3 }),
  fc.double(),
  fc.constantFrom({ toJSON: () => 'j' }, [1, 2], { a: 1 }, Symbol('s')),
);

const literal = (key: string, property: string) =>
  `{ ${/^[A-Za-z_$][\w$]*$/.test(key) ? key : `'${key}'`}: e.${property} }`;

describe('a metric with (e) => ({ name: e.property }) and one that calls the function', () => {
  // Each generated source is a family of its own: the compiled copies they leave would fill the
  // specializer's cap for the files that share this worker's module graph.
  afterAll(() => resetSpecializer());

  it('hold the same points, drops, overflow and change records, reading the property once per event (property)', () => {
    fc.assert(
      fc.property(
        keys,
        properties,
        fc.array(values, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 2, max: 6 }),
        fc.boolean(),
        // Seeded points, some with a second key: the memo's step for a value may then be a node.
        fc.array(
          fc.record(
            { first: fc.constantFrom('success', 'failure', 0, 1), second: fc.constantFrom('x', 2) },
            { requiredKeys: ['first'] },
          ),
          { maxLength: 3 },
        ),
        (key, property, raws, cardinalityLimit, asHistogram, seeds) => {
          const initial = seeds
            .slice(0, cardinalityLimit - 1)
            .map(({ first, second }) =>
              second === undefined ? { [key]: first } : { [key]: first, zz: second },
            );
          // The same function twice: as the one form, and with a block body the fast path leaves.
          const fast = new Function(`return (e) => (${literal(key, property)})`)();
          const called = new Function(`return (e) => { return ${literal(key, property)}; }`)();
          expect(singleAttribute(fast)).toEqual({ name: key, property });
          expect(singleAttribute(called)).toBeUndefined();
          const make = (attributes: (e: Hit) => Record<string, unknown>) =>
            asHistogram
              ? histogram({
                  name: 'h',
                  on: Hit,
                  value: () => 1,
                  attributes,
                  cardinalityLimit,
                  buckets: [0, 2],
                  initial,
                })
              : counter({ name: 'c', on: Hit, attributes, cardinalityLimit, initial });
          const metrics = [make(fast), make(called)];
          for (const raw of raws) {
            const outcomes = metrics.map((metric) => {
              const event = new Hit(property, raw);
              const update: MetricUpdate = { attributes: undefined, value: undefined };
              let result: unknown;
              try {
                result = metric.handleEvent(event, update);
              } catch (error) {
                result = `threw ${String(error)}`;
              }
              return { result, update, reads: event.reads };
            });
            expect(outcomes[0]).toEqual(outcomes[1]);
            expect(outcomes[0]?.reads).toBe(1);
          }
          const [a, b] = metrics.map((metric) => metric.snapshot());
          expect(a).toEqual(b);
          expect(Object.keys(a?.points[0]?.attributes ?? {})).toEqual(
            Object.keys(b?.points[0]?.attributes ?? {}),
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it('finds a known set without making the object again: the store takes its exact path once per set', () => {
    const metric = counter({
      name: 'c',
      on: Hit,
      attributes: (e: Hit & { outcome?: unknown }) => ({ outcome: e.outcome }),
    });
    const exact = () =>
      (metric as unknown as { store: { exactLookupCount: number } }).store.exactLookupCount;
    for (let i = 0; i < 100; i++) metric.handleEvent(new Hit('outcome', i % 3 === 0 ? 'a' : 'b'));
    // One miss per distinct set; every later event of a set is a memo hit.
    expect(exact()).toBe(2);
    for (let i = 0; i < 10; i++) metric.handleEvent(new Hit('outcome', undefined));
    expect(exact()).toBe(3);
    expect(
      metric.snapshot().points.map((p) => [p.attributes, (p as { value: number }).value]),
    ).toEqual([
      [{ outcome: 'a' }, 34],
      [{ outcome: 'b' }, 66],
      [{}, 10],
    ]);
  });
});
