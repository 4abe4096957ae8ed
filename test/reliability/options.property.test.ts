import {
  connectRecorder,
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
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { trace } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BOOLEAN_SPEC,
  build,
  CLOCK_SPEC,
  FUNCTION_SPEC,
  invalidKeys,
  isString,
  junk,
  junkBut,
  type OptionSpec,
  optionsFor,
} from '../support/option-specs.js';

// Item 7 of issue 13: every option of every public constructor and factory is checked at wiring
// time. Property: the call throws a MetricsWiringError naming an invalid option iff one is
// invalid; once accepted, the wired object works (events processed, nothing failing).

/** Runs `wire`; with invalid options expects a MetricsWiringError naming one, else a result. */
async function wiring<T>(wire: () => T | Promise<T>, invalid: string[]): Promise<T | undefined> {
  let thrown: unknown;
  let result: T | undefined;
  try {
    result = await wire();
  } catch (error) {
    thrown = error;
  }
  if (invalid.length === 0) {
    expect(thrown).toBeUndefined();
    return result;
  }
  expect(thrown, `should refuse ${invalid.join(', ')}`).toBeInstanceOf(MetricsWiringError);
  const message = (thrown as Error).message;
  expect(
    invalid.some((key) => message.includes(key)),
    message,
  ).toBe(true);
  return undefined;
}

const ERROR_HANDLER = FUNCTION_SPEC(fc.constant(() => {}));
const CAPACITY: OptionSpec = {
  valid: fc.integer({ min: 1, max: 1000 }),
  invalid: fc.constantFrom(0, -1, 1.5, '10', null, Number.NaN, Number.POSITIVE_INFINITY),
};
const OVERFLOW: OptionSpec = {
  valid: fc.constantFrom('drop-newest', 'drop-oldest'),
  invalid: fc.constantFrom('drop', 'DROP-NEWEST', null, 1, {}),
};
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

  it('exposeRecorder handles and connectRecorder', async () => {
    const handleSpecs: Record<string, OptionSpec> = {
      maxPendingEvents: CAPACITY,
      batchSize: CAPACITY,
      overflow: OVERFLOW,
    };
    const connectSpecs: Record<string, OptionSpec> = { onError: ERROR_HANDLER };
    await fc.assert(
      fc.asyncProperty(optionsFor(handleSpecs), optionsFor(connectSpecs), async (h, c) => {
        const runtime = new MetricsRuntime({ namespace: 'w', onError: () => {} });
        runtime.start();
        const owner = runtime.createRecorder('r', {
          metrics: () => [counter({ name: 'seen', on: 'x' })],
        });
        const handle = await wiring(
          () => runtime.exposeRecorder('r').handle(build(h.choices)),
          invalidKeys(h.choices, handleSpecs),
        );
        if (handle !== undefined) {
          const worker = await wiring(
            () => connectRecorder(handle, build(c.choices)),
            invalidKeys(c.choices, connectSpecs),
          );
          if (worker !== undefined) {
            for (let i = 0; i < 10; i++) worker.registerEvent({ type: 'x' });
            await worker.flush();
            await owner.flush();
            expect(owner.stats().processed).toBe(worker.stats().sent);
            worker.close();
          } else {
            handle.port.close();
          }
        }
        await runtime.shutdown();
      }),
      { numRuns: 60 },
    );
  });

  it('attachOtelBridge and createMetricProducer', async () => {
    const specs: Record<string, OptionSpec> = {
      meterProvider: { valid: fc.constant(null).map(() => new MeterProvider()), invalid: junk },
      metricProducer: {
        valid: fc.constant(null).map(() => createMetricProducer()),
        invalid: fc.oneof(junk, fc.constant({ collect: async () => ({}) })),
      },
      tracerProvider: {
        valid: fc.constant(null).map(() => trace.getTracerProvider()),
        invalid: junk,
      },
      spans: BOOLEAN_SPEC,
      recorderAttribute: {
        valid: fc.constantFrom('recorder', 'rec', false),
        invalid: fc.constantFrom('', 1, true, null, {}),
      },
      selfTelemetry: BOOLEAN_SPEC,
      captureContext: BOOLEAN_SPEC,
      onError: ERROR_HANDLER,
      clock: { ...CLOCK_SPEC, valid: fc.constant(() => Date.now()) },
    };
    await fc.assert(
      fc.asyncProperty(optionsFor(specs), async ({ choices }) => {
        const runtime = new MetricsRuntime({ namespace: 'b', onError: () => {} });
        runtime.start();
        const recorder = runtime.createRecorder('r', {
          metrics: () => [counter({ name: 'seen', on: 'x' })],
        });
        const bridge = await wiring(
          () => attachOtelBridge(runtime, build(choices)),
          invalidKeys(choices, specs),
        );
        recorder.registerEvent({ type: 'x' });
        await recorder.flush();
        expect(recorder.stats()).toMatchObject({ processed: 1, failed: 0 });
        if (bridge?.metricProducer !== undefined) {
          expect((await bridge.metricProducer.collect()).errors).toEqual([]);
        }
        bridge?.detach();
        await runtime.shutdown();
      }),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(optionsFor({ clock: CLOCK_SPEC }), async ({ choices }) => {
        await wiring(
          () => createMetricProducer(build(choices)),
          invalidKeys(choices, { clock: CLOCK_SPEC }),
        );
      }),
      { numRuns: 40 },
    );
  });

  it('createOtelPipeline', async () => {
    const specs: Record<string, OptionSpec> = {
      serviceName: {
        valid: fc.constantFrom('svc'),
        invalid: fc.constantFrom('', 42, null),
        required: true,
      },
      serviceInstanceId: { valid: fc.constantFrom('i-1'), invalid: fc.constantFrom('', 42, null) },
      prometheus: {
        valid: fc.constantFrom(false, { host: '127.0.0.1', port: 0 }),
        invalid: fc.constantFrom(
          'x',
          42,
          null,
          true,
          { port: -1 },
          { port: '9464' },
          { host: 5, port: 0 },
        ),
      },
      otlp: {
        valid: fc.constant(false),
        invalid: fc.constantFrom('x', true, null, { intervalMs: 0 }, { metricsUrl: 5 }),
      },
      registerGlobals: {
        valid: fc.constant(false),
        invalid: junkBut((v) => typeof v === 'boolean'),
      },
      onError: ERROR_HANDLER,
      shutdownTimeoutMs: {
        valid: fc.integer({ min: 100, max: 3000 }),
        invalid: fc.constantFrom(0, -1, 'x', Number.NaN, null),
      },
    };
    await fc.assert(
      fc.asyncProperty(optionsFor(specs), async ({ choices }) => {
        const options = build(choices);
        // globals stay untouched unless a test asks for them
        if (choices.registerGlobals === undefined) options.registerGlobals = false;
        const pipeline = await wiring(
          () => createOtelPipeline(options as never),
          invalidKeys(choices, specs),
        );
        await pipeline?.shutdown();
      }),
      { numRuns: 40 },
    );
  });
});
