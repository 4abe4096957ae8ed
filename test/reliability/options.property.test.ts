import {
  counter,
  createImmediateScheduler,
  createSyncScheduler,
  gauge,
  histogram,
  type Metric,
  MetricsRecorder,
  MetricsRuntime,
  MetricsWiringError,
  upDownCounter,
} from '@mvx-metrics/core';
import { createTestRecorder } from '@mvx-metrics/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  build,
  CAPACITY,
  CLOCK_SPEC,
  ERROR_HANDLER,
  FUNCTION_SPEC,
  invalidKeys,
  isString,
  junkBut,
  type OptionSpec,
  OVERFLOW,
  optionsFor,
  wiring,
} from '../support/option-specs.js';

// Item 7 of issue 13: every option of every public constructor and factory is checked at wiring
// time. Property: the call throws a MetricsWiringError naming an invalid option iff one is
// invalid; once accepted, the wired object works (events processed, nothing failing).

const SCHEDULER: OptionSpec = {
  valid: fc.oneof(
    fc.constantFrom('immediate', 'sync'),
    fc.constant(null).map(() => createSyncScheduler()),
  ),
  invalid: fc.constantFrom('Sync', 'setImmediate', {}, 42, null, { schedule() {} }),
};
const freshMetrics = fc.constant(null).map(() => [counter({ name: 'seen', on: 'x' })]);

function metricSpecs(requiresValue: boolean, isHistogram: boolean): Record<string, OptionSpec> {
  const specs: Record<string, OptionSpec> = {
    name: {
      valid: fc.constantFrom('m.x', 'count'),
      invalid: fc.constantFrom('', '1x', 'a b', 42, null),
      required: true,
    },
    on: {
      valid: fc.constantFrom('x', (e: { type?: string }) => e.type === 'x'),
      invalid: junkBut((v) => typeof v === 'string' || typeof v === 'function'),
      required: true,
    },
    description: { valid: fc.string(), invalid: junkBut(isString) },
    unit: { valid: fc.constantFrom('1', 's', '{event}'), invalid: junkBut(isString) },
    attributes: FUNCTION_SPEC(fc.constant(() => ({ k: 'v' }))),
    value: { ...FUNCTION_SPEC(fc.constant(() => 1)), required: requiresValue },
    initial: {
      valid: fc.constantFrom([], [{ k: 'v' }]),
      invalid: fc.constantFrom({}, 'x', [null], [1], [[1]], 5),
    },
    cardinalityLimit: {
      valid: fc.integer({ min: 2, max: 100 }),
      invalid: fc.constantFrom(1, 0, 2.5, '10', null, Number.NaN),
    },
    namespace: { valid: fc.constant(false), invalid: junkBut((v) => v === false) },
  };
  if (isHistogram) {
    specs.buckets = {
      valid: fc.constantFrom([1, 2], [0]),
      invalid: fc.constantFrom([2, 1], [Number.NaN], 'x', {}, [Number.POSITIVE_INFINITY], null),
    };
  }
  return specs;
}

const FACTORIES: [string, (o: never) => Metric, boolean, boolean][] = [
  ['counter', counter, false, false],
  ['upDownCounter', upDownCounter, false, false],
  ['gauge', gauge, true, false],
  ['histogram', histogram, true, true],
];

describe('options are checked at wiring time (arbitrary option objects)', () => {
  it.each(FACTORIES)('%s', async (_name, factory, requiresValue, isHistogram) => {
    const specs = metricSpecs(requiresValue, isHistogram);
    await fc.assert(
      fc.asyncProperty(optionsFor(specs), async ({ choices }) => {
        const metric = await wiring(
          () => factory(build(choices) as never),
          invalidKeys(choices, specs),
        );
        if (metric === undefined) return;
        const recorder = createTestRecorder([metric]);
        for (let i = 0; i < 5; i++) recorder.registerEvent({ type: 'x' });
        expect(recorder.errors).toEqual([]);
        expect(recorder.stats()).toMatchObject({ processed: 5, accepted: 5, failed: 0 });
      }),
      { numRuns: 150 },
    );
  });

  it('MetricsRuntime and createRecorder', async () => {
    const runtimeSpecs: Record<string, OptionSpec> = {
      namespace: {
        valid: fc.constantFrom('ns', 'a.b'),
        invalid: fc.constantFrom('', '1a', 42, null),
        required: true,
      },
      maxPendingEvents: CAPACITY,
      overflow: OVERFLOW,
      scheduler: SCHEDULER,
      onError: ERROR_HANDLER,
      clock: CLOCK_SPEC,
    };
    const recorderSpecs: Record<string, OptionSpec> = {
      metrics: {
        valid: fc.oneof(
          freshMetrics,
          fc.constant(() => [counter({ name: 'seen', on: 'x' })]),
        ),
        invalid: fc.constantFrom(
          'x',
          42,
          {},
          null,
          () => 'not an array',
          () => {
            throw new Error('factory');
          },
        ),
      },
      maxPendingEvents: CAPACITY,
      overflow: OVERFLOW,
    };
    await fc.assert(
      fc.asyncProperty(optionsFor(runtimeSpecs), optionsFor(recorderSpecs), async (rt, rec) => {
        const runtime = await wiring(
          () => new MetricsRuntime(build(rt.choices) as never),
          invalidKeys(rt.choices, runtimeSpecs),
        );
        if (runtime === undefined) return;
        runtime.start();
        const recorder = await wiring(
          () => runtime.createRecorder('r', build(rec.choices)),
          invalidKeys(rec.choices, recorderSpecs),
        );
        if (recorder !== undefined) {
          for (let i = 0; i < 10; i++) recorder.registerEvent({ type: 'x' });
          await recorder.flush();
          const stats = recorder.stats();
          expect(stats.registered).toBe(stats.processed + stats.dropped + stats.pending);
          expect(stats.failed).toBe(0);
        }
        await runtime.shutdown();
      }),
      { numRuns: 150 },
    );
  });

  it('MetricsRecorder, createTestRecorder and the scheduler factories', async () => {
    const specs: Record<string, OptionSpec> = {
      metrics: { valid: freshMetrics, invalid: fc.constantFrom('x', 42, {}, null) },
      maxPendingEvents: CAPACITY,
      overflow: OVERFLOW,
      scheduler: SCHEDULER,
      onError: ERROR_HANDLER,
      clock: CLOCK_SPEC,
    };
    await fc.assert(
      fc.asyncProperty(optionsFor(specs), async ({ choices }) => {
        const recorder = await wiring(
          () => new MetricsRecorder('r', build(choices)),
          invalidKeys(choices, specs),
        );
        if (recorder === undefined) return;
        recorder.start();
        for (let i = 0; i < 10; i++) recorder.registerEvent({ type: 'x' });
        await recorder.stop();
        expect(recorder.stats()).toMatchObject({ failed: 0, pending: 0 });
      }),
      { numRuns: 150 },
    );
    const testSpecs: Record<string, OptionSpec> = {
      name: { valid: fc.constantFrom('t'), invalid: fc.constantFrom('', 42) },
      onError: ERROR_HANDLER,
      maxPendingEvents: CAPACITY,
      overflow: OVERFLOW,
      clock: CLOCK_SPEC,
    };
    await fc.assert(
      fc.asyncProperty(optionsFor(testSpecs), async ({ choices }) => {
        const recorder = await wiring(
          () => createTestRecorder([counter({ name: 'seen', on: 'x' })], build(choices)),
          invalidKeys(choices, testSpecs),
        );
        recorder?.registerEvent({ type: 'x' });
        if (recorder !== undefined) expect(recorder.stats().processed).toBe(1);
      }),
      { numRuns: 100 },
    );
    const schedulerSpecs: Record<string, OptionSpec> = {
      budgetMs: {
        valid: fc.integer({ min: 1, max: 10 }),
        invalid: fc.constantFrom(0, -1, 'x', Number.NaN, null),
      },
      clock: CLOCK_SPEC,
      onError: ERROR_HANDLER,
    };
    await fc.assert(
      fc.asyncProperty(optionsFor(schedulerSpecs), async ({ choices }) => {
        await wiring(
          () => createImmediateScheduler(build(choices)),
          invalidKeys(choices, schedulerSpecs),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('listeners are checked when added', () => {
  it.each([42, 'fn', null, {}, undefined])('refuses %s as a listener of every hook', (listener) => {
    const runtime = new MetricsRuntime({ namespace: 'l', onError: () => {} });
    const recorder = runtime.createRecorder('r');
    const add = [
      () => runtime.onRecorderAdded(listener as never),
      () => runtime.onRecorderRemoved(listener as never),
      () => recorder.onChange(listener as never),
      () => recorder.onBatchEnd(listener as never),
      () => runtime.setContextCapture(listener === undefined ? (42 as never) : (listener as never)),
    ];
    for (const wire of add) expect(wire).toThrow(MetricsWiringError);
  });
});
