import { connectRecorder, counter, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { trace } from '@opentelemetry/api';
import {
  AggregationType,
  createAllowListAttributesProcessor,
  MeterProvider,
} from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holdDefaultPrometheusPort } from '../support/default-port.js';
import {
  BOOLEAN_SPEC,
  build,
  CAPACITY,
  CLOCK_SPEC,
  ERROR_HANDLER,
  invalidKeys,
  junk,
  junkBut,
  type OptionSpec,
  OVERFLOW,
  optionsFor,
  wiring,
} from '../support/option-specs.js';

// Item 7 of issue 13, for the worker handles, the bridge and the pipeline: the call throws a
// MetricsWiringError naming an invalid option iff one is invalid; once accepted, it works.

/** sdk-metrics ViewOptions lists; the invalid ones are what sdk-metrics' View refuses, and wrong types. */
const VIEWS_SPEC: OptionSpec = {
  valid: fc.constantFrom(
    [],
    [{ instrumentName: 'b.seen', name: 'b.seen.renamed', description: 'd' }],
    [{ instrumentName: '*', aggregationCardinalityLimit: 10 }],
    [{ meterName: 'b', aggregation: { type: AggregationType.DROP } }],
    [{ instrumentName: 'b.*', attributesProcessors: [createAllowListAttributesProcessor(['x'])] }],
  ),
  invalid: fc.constantFrom(
    'x',
    null,
    {},
    [null],
    [{}],
    [{ name: 'renamed' }],
    [{ instrumentName: 'b.*', name: 'renamed' }],
    [{ instrumentName: 'a', aggregationCardinalityLimit: 0 }],
    [{ instrumentName: 'a', aggregationCardinalityLimit: 1.5 }],
    [{ instrumentName: 'a', attributesProcessors: [{ process: 1 }] }],
    [{ instrumentName: 'a', aggregation: { type: 99 } }],
    [{ instrumentName: 'a', aggregation: 'drop' }],
    [{ instrumentName: 5 }],
    [{ instrumentType: 'counter' }],
  ),
};

describe('options are checked at wiring time: workers, bridge, pipeline (arbitrary option objects)', () => {
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
    const producerSpecs = { clock: CLOCK_SPEC, views: VIEWS_SPEC };
    await fc.assert(
      fc.asyncProperty(optionsFor(producerSpecs), async ({ choices }) => {
        await wiring(
          () => createMetricProducer(build(choices)),
          invalidKeys(choices, producerSpecs),
        );
      }),
      { numRuns: 60 },
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
        valid: fc.constantFrom(
          false,
          { host: '127.0.0.1', port: 0 },
          { host: '127.0.0.1', port: 0, listen: true },
          { listen: false },
        ),
        invalid: fc.constantFrom(
          'x',
          42,
          null,
          true,
          { port: -1 },
          { port: '9464' },
          { host: 5, port: 0 },
          { port: 0, listen: 'no' },
          { port: 0, listen: null },
        ),
      },
      otlp: {
        valid: fc.constant(false),
        invalid: fc.constantFrom('x', true, null, { intervalMs: 0 }, { metricsUrl: 5 }),
      },
      spanLimits: {
        valid: fc.constantFrom(
          {},
          { attributeCountLimit: 2 },
          { attributeValueLengthLimit: Number.POSITIVE_INFINITY, eventCountLimit: 0 },
        ),
        invalid: fc.constantFrom(
          'x',
          null,
          [],
          { attributeCountLimit: -1 },
          { attributeCountLimit: 2.5 },
          { attributeValueLengthLimit: '10' },
          { linkCountLimit: Number.NaN },
          { attributeCountLimt: 2 },
        ),
      },
      views: VIEWS_SPEC,
      registerGlobals: {
        valid: fc.constant(false),
        invalid: junkBut((v) => typeof v === 'boolean'),
      },
      onError: ERROR_HANDLER,
      shutdownTimeoutMs: {
        valid: fc.integer({ min: 100, max: 3000 }),
        invalid: fc.constantFrom(0, -1, 'x', Number.NaN, null),
      },
      health: {
        valid: fc.oneof(
          fc.constant({}),
          fc.record({ exportFailuresUntilUnready: fc.integer({ min: 1, max: 1000 }) }),
        ),
        invalid: fc.oneof(
          junkBut((v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
          fc.record({
            exportFailuresUntilUnready: fc.oneof(
              fc.integer({ max: 0 }),
              fc.double({ min: 0.01, max: 99.99, noInteger: true }),
              junkBut((v) => Number.isInteger(v) && (v as number) >= 1),
            ),
          }),
        ),
      },
    };
    // Without a prometheus choice, /metrics listens on the default port 9464: other files and CI
    // lines running at once take turns on it.
    const release = await holdDefaultPrometheusPort();
    try {
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
    } finally {
      release();
    }
  });
});
