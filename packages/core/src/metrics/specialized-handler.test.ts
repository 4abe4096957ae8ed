import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kindFixture, REGISTERED_KINDS } from '../../../../test/support/kind-fixtures.js';
import { MAX_SPECIALIZED, resetSpecializer, specialize } from '../internal/specialize.js';
import { BuiltInMetric } from './built-in-metric.js';
import { counter, histogram } from './index.js';
import type { MetricHost } from './types.js';

// The shared per-event path, and the family copy a metric runs instead (private: read for the test).
const shared = (BuiltInMetric.prototype as unknown as { handle: Function }).handle as (
  this: BuiltInMetric,
  event: object,
  update?: object,
) => boolean;
const copyOf = (metric: object) =>
  (metric as unknown as { specialized: Function | undefined }).specialized;

// Inside a mutation run of this folder (`npm run mutate -- core --folders metrics`), StrykerJS has
// rewritten built-in-metric.ts around its helpers (stryMutAct_9fa48, stryCov_9fa48), which a copy
// compiled in the global scope cannot see: its canary fails and, by design, no metric gets a copy.
// The tests that expect copies then do not apply; the last one checks that fallback instead.
const instrumented = /\bstry(?:MutAct|Cov)_9fa48\b/.test(Function.prototype.toString.call(shared));

// The metrics of one call site (one per recorder, as a `metrics: () => [...]` factory makes them).
const requests = () =>
  counter<{ type: string; outcome: string }>({
    name: 'requests',
    on: 'request',
    attributes: (e) => ({ outcome: e.outcome }),
  });
const latency = () =>
  histogram<{ type: string; seconds: number }>({
    name: 'latency',
    on: 'request',
    value: (e) => e.seconds,
  });

afterEach(() => {
  vi.unstubAllGlobals();
  resetSpecializer();
});

describe("a built-in metric's compiled per-event path", () => {
  it.skipIf(instrumented)(
    'is one copy per family: same kind and function sources share it, others get their own',
    () => {
      const [a, b] = [requests(), requests()];
      const [h1, h2] = [latency(), latency()];
      expect(copyOf(a)).toBeTypeOf('function');
      expect(copyOf(a)).not.toBe(shared);
      expect(copyOf(b)).toBe(copyOf(a));
      expect(copyOf(h2)).toBe(copyOf(h1));
      expect(copyOf(h1)).not.toBe(copyOf(a));
      // Same sources, another kind: another copy (the kind's rules are inlined into it).
      const sum = counter({
        name: 'sum',
        on: 'request',
        value: (e: { seconds: number }) => e.seconds,
      });
      const hist = histogram({
        name: 'h',
        on: 'request',
        value: (e: { seconds: number }) => e.seconds,
      });
      expect(copyOf(sum)).not.toBe(copyOf(hist));
    },
  );

  it.skipIf(instrumented)(
    'is another copy for another source of the same function role, within one kind',
    () => {
      const byOutcome = counter<{ type: string; outcome: string }>({
        name: 'a',
        on: 'request',
        attributes: (e) => ({ outcome: e.outcome }),
      });
      const byType = counter<{ type: string; outcome: string }>({
        name: 'b',
        on: 'request',
        attributes: (e) => ({ type: e.type }),
      });
      expect(copyOf(byOutcome)).toBeTypeOf('function');
      expect(copyOf(byType)).not.toBe(copyOf(byOutcome));
    },
  );

  it.skipIf(instrumented)(
    'is none for a metric without functions of its own: it runs the shared path',
    () => {
      // Nothing to inline but the kind's rules (inlined anyway): a dispatcher that sees only such
      // metrics keeps one call target, which it inlines.
      expect(copyOf(counter({ name: 'reads', on: 'read' }))).toBeUndefined();
      expect(copyOf(counter({ name: 'reads', on: class Read {} }))).toBeUndefined();
      expect(
        copyOf(counter({ name: 'reads', on: (e: { ok?: boolean }) => e.ok === true })),
      ).toBeTypeOf('function');
    },
  );

  it('takes the same events, values and attributes as the shared method, for every kind (property)', () => {
    const values = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, 0, -0),
      fc.constantFrom<unknown>('1', null, undefined, {}, 1n),
    );
    const events = fc.array(
      fc.record({
        type: fc.constantFrom('request', 'other'),
        outcome: fc.constantFrom('ok', 'error', 'toString', '__proto__'),
        value: values,
      }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...REGISTERED_KINDS), events, (kind, list) => {
        const make = () =>
          kindFixture(kind).metric<{ outcome: string; value: unknown }>({
            name: 'm',
            on: 'request',
            attributes: (e) => ({ outcome: e.outcome }),
            value: (e) => e.value as number,
            cardinalityLimit: 3,
          });
        const [copy, reference] = [make(), make()];
        // (no copy inside a mutation run of this folder: then both run the shared method)
        expect(copyOf(copy)).toBeTypeOf(instrumented ? 'undefined' : 'function');
        const reports: [string[], string[]] = [[], []];
        const host = (into: string[]): MetricHost => ({
          recorderName: 'r',
          report: (error) => into.push(error.message),
        });
        copy.attach?.(host(reports[0]));
        reference.attach?.(host(reports[1]));
        for (const event of list) {
          const update = { attributes: undefined, value: undefined };
          const expected = { attributes: undefined, value: undefined };
          const took = copy.handleEvent(event, update);
          expect(took).toBe(shared.call(reference as BuiltInMetric, event, expected));
          expect(copyOf(reference)).toBe(copyOf(copy));
          expect(update).toEqual(expected);
        }
        expect(copy.snapshot()).toEqual(reference.snapshot());
        expect(reports[0]).toEqual(reports[1]);
      }),
      { numRuns: 150 },
    );
  });

  it('without new Function (a content security policy), every metric runs the shared method', () => {
    resetSpecializer();
    function NoEval(): never {
      throw new EvalError('Code generation from strings disallowed for this context');
    }
    NoEval.prototype = Function.prototype;
    vi.stubGlobal('Function', NoEval);
    const metric = requests();
    vi.unstubAllGlobals();
    expect(copyOf(metric)).toBeUndefined();
    metric.handleEvent({ type: 'request', outcome: 'ok' });
    expect(metric.snapshot().points).toEqual([{ attributes: { outcome: 'ok' }, value: 1 }]);
    // Decided once: later metrics do not try again.
    expect(copyOf(requests())).toBeUndefined();
  });

  it.runIf(instrumented)(
    'with its source instrumented by a mutation tool, every metric runs the shared method',
    () => {
      const metric = requests();
      expect(copyOf(metric)).toBeUndefined();
      metric.handleEvent({ type: 'request', outcome: 'ok' });
      expect(metric.snapshot().points).toEqual([{ attributes: { outcome: 'ok' }, value: 1 }]);
    },
  );
});

describe('specialize', () => {
  const method = function answer(this: { n: number }) {
    return this.n;
  };
  const canary = () => 'canary';

  it('compiles a copy that behaves as the method, once per key', () => {
    const copy = specialize(method, 'a', canary);
    expect(copy).not.toBe(method);
    expect(copy.call({ n: 4 })).toBe(4);
    expect(specialize(method, 'a', canary)).toBe(copy);
    expect(specialize(method, 'b', canary)).not.toBe(copy);
  });

  it('turns itself off when the canary copy fails (source rewritten by a coverage or mutation tool)', () => {
    expect(specialize(method, 'a', () => 'rewritten')).toBe(method);
    expect(specialize(method, 'b', canary)).toBe(method);
    resetSpecializer();
    const throwing = () => {
      throw new ReferenceError('cov_1 is not defined');
    };
    expect(specialize(method, 'a', throwing)).toBe(method);
  });

  it(`keeps at most ${MAX_SPECIALIZED} copies; further keys share the method`, () => {
    for (let i = 0; i < MAX_SPECIALIZED; i++) {
      expect(specialize(method, `k${i}`, canary)).not.toBe(method);
    }
    expect(specialize(method, 'one more', canary)).toBe(method);
    expect(specialize(method, 'k0', canary)).not.toBe(method);
  });
});
