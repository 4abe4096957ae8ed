import {
  counter,
  exponentialHistogram,
  histogram,
  MetricsRuntime,
  upDownCounter,
} from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import type { Attributes } from '@opentelemetry/api';
import {
  type AggregationOption,
  AggregationType,
  createAllowListAttributesProcessor,
  createDenyListAttributesProcessor,
  MeterProvider,
  type MetricData,
  type ResourceMetrics,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestReader } from './helpers.js';

// Views on the mirrored series (producer path) = the same Views on sdk-metrics' own synchronous
// instruments fed the same measurements, for generated View options and attribute sets whose
// keys include every Object.prototype name. One collection per case (sdk-metrics applies a
// cardinality limit per collection interval; test/bridge/views-temporality.test.ts runs several).

const BUCKETS = [1, 5, 10];
const KEYS = ['route', 'status', ...Object.getOwnPropertyNames(Object.prototype)];
const INSTRUMENTS = ['requests', 'inflight', 'latency'] as const;
type Instrument = (typeof INSTRUMENTS)[number];

interface Measurement {
  instrument: Instrument;
  attributes: Record<string, string>;
  value: number;
}

// Attribute objects with own properties of any name, `__proto__` included (as JSON.parse makes them).
const attributeSet = fc.uniqueArray(fc.constantFrom(...KEYS), { maxLength: 4 }).chain((keys) =>
  fc.tuple(...keys.map(() => fc.constantFrom('x', 'y', 'z'))).map((values) => {
    const out: Record<string, string> = {};
    keys.forEach((key, i) => {
      Object.defineProperty(out, key, {
        value: values[i],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    });
    return out;
  }),
);

const measurement: fc.Arbitrary<Measurement> = fc.record({
  instrument: fc.constantFrom(...INSTRUMENTS),
  attributes: attributeSet,
  value: fc.integer({ min: 0, max: 20 }),
});

const keyList = fc.uniqueArray(fc.constantFrom(...KEYS), { maxLength: 4 });

/** A View for the instruments of scope `p` (its selector and its stream options). */
const view: fc.Arbitrary<ViewOptions> = fc
  .record(
    {
      target: fc.constantFrom<Instrument | '*' | 'l*'>(...INSTRUMENTS, '*', 'l*'),
      rename: fc.boolean(),
      description: fc.option(fc.constantFrom('described', ''), { nil: undefined }),
      processors: fc.option(
        fc.array(
          fc.oneof(
            keyList.map((keys) => ({ allow: keys })),
            keyList.map((keys) => ({ deny: keys })),
          ),
          { minLength: 1, maxLength: 2 },
        ),
        { nil: undefined },
      ),
      limit: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      aggregation: fc.option(
        fc.oneof<fc.Arbitrary<AggregationOption>[]>(
          fc.constant({ type: AggregationType.DROP }),
          fc.constant({ type: AggregationType.DEFAULT }),
          fc.subarray(BUCKETS).map((boundaries) => ({
            type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
            options: { boundaries },
          })),
          fc.constant({
            type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
            options: { boundaries: BUCKETS, recordMinMax: false },
          }),
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['target', 'rename'] },
  )
  .map(({ target, rename, description, processors, limit, aggregation }) => {
    const out: ViewOptions = {
      instrumentName: target === '*' || target === 'l*' ? target : `p.${target}`,
    };
    if (rename && !target.includes('*')) out.name = `p.${target}.renamed`;
    if (description !== undefined) out.description = description;
    if (processors !== undefined) {
      out.attributesProcessors = processors.map((p) =>
        'allow' in p
          ? createAllowListAttributesProcessor(p.allow)
          : createDenyListAttributesProcessor(p.deny),
      );
    }
    if (limit !== undefined) out.aggregationCardinalityLimit = limit;
    // Histogram options go to histograms only: other aggregations of them need each measurement.
    if (
      aggregation !== undefined &&
      (target === 'latency' || aggregation.type !== AggregationType.EXPLICIT_BUCKET_HISTOGRAM)
    )
      out.aggregation = aggregation;
    return out;
  });

function streams(resourceMetrics: ResourceMetrics) {
  const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === 'p');
  return (
    (scope?.metrics ?? [])
      .map((metric: MetricData) => ({
        name: metric.descriptor.name,
        description: metric.descriptor.description,
        type: metric.dataPointType,
        points: metric.dataPoints
          .map((p) => ({ attributes: own(p.attributes), value: p.value }))
          .sort((a, b) => (a.attributes < b.attributes ? -1 : a.attributes > b.attributes ? 1 : 0)),
      }))
      // A core metric without a series yet goes out without points; sdk-metrics leaves it out.
      .filter((stream) => stream.points.length > 0)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  );
}

// sdk-metrics' instrument name pattern, for the generated ones (exact, `*`, `l*`).
function selects(pattern: string, name: string): boolean {
  return pattern === '*' || pattern === name || (pattern === 'l*' && name.startsWith('l'));
}

// Own entries, sorted (prototype-named keys are own data properties here).
function own(attributes: Attributes): string {
  return JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The mirrored series under `views`: on the producer path (the bridge applies them) or on the
 * instruments path (a MeterProvider with the Views; sdk-metrics applies them).
 */
async function mirrored(
  views: ViewOptions[],
  measurements: Measurement[],
  path: 'producer' | 'instruments' = 'producer',
) {
  const runtime = new MetricsRuntime({ namespace: 'p', scheduler: 'sync' });
  runtime.start();
  const producer = createMetricProducer(path === 'producer' ? { views } : {});
  const reader = new TestReader(path === 'producer' ? [producer] : []);
  const provider = new MeterProvider(
    path === 'producer' ? { readers: [reader] } : { readers: [reader], views },
  );
  const bridge = attachOtelBridge(runtime, {
    ...(path === 'producer' ? { metricProducer: producer } : { meterProvider: provider }),
    recorderAttribute: false,
    selfTelemetry: false,
  });
  type Event = { value: number; attributes: Record<string, string> };
  const on = (type: Instrument) => ({
    on: type,
    value: (e: Event) => e.value,
    attributes: (e: Event) => e.attributes,
  });
  const recorder = runtime.createRecorder('r', {
    metrics: () => [
      counter({ name: 'requests', ...on('requests') }),
      upDownCounter({ name: 'inflight', ...on('inflight') }),
      histogram({ name: 'latency', buckets: BUCKETS, ...on('latency') }),
    ],
  });
  for (const m of measurements)
    recorder.registerEvent({ type: m.instrument, value: m.value, attributes: m.attributes });
  try {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    return streams(resourceMetrics);
  } finally {
    bridge.detach();
    await provider.shutdown();
    await runtime.shutdown();
  }
}

async function reference(views: ViewOptions[], measurements: Measurement[]) {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader], views });
  const meter = provider.getMeter('p');
  const instruments = {
    requests: meter.createCounter('p.requests'),
    inflight: meter.createUpDownCounter('p.inflight'),
    latency: meter.createHistogram('p.latency', { advice: { explicitBucketBoundaries: BUCKETS } }),
  };
  for (const m of measurements) {
    const instrument = instruments[m.instrument];
    if ('add' in instrument) instrument.add(m.value, m.attributes);
    else instrument.record(m.value, m.attributes);
  }
  try {
    return streams(await reader.read());
  } finally {
    await provider.shutdown();
  }
}

describe('Views on mirrored series = the same Views on sdk-metrics instruments', () => {
  it('for generated View options and attribute sets (keys: every Object.prototype name)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(view, { maxLength: 3 }),
        fc.array(measurement, { minLength: 1, maxLength: 30 }),
        async (views, measurements) => {
          // Types and units: the mirror reports DOUBLE values, as sdk-metrics' instruments default.
          expect(await mirrored(views, measurements)).toEqual(await reference(views, measurements));
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it('an exponential histogram under a View with a smaller maxSize (and recordMinMax) = sdk-metrics recording the same values with that View', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 2, max: 40 }),
        fc.boolean(),
        async (values, maxSize, recordMinMax) => {
          const views: ViewOptions[] = [
            {
              instrumentName: 'p.sizes',
              aggregation: {
                type: AggregationType.EXPONENTIAL_HISTOGRAM,
                options: { maxSize, recordMinMax },
              },
            },
          ];
          // Ours: core's exponential histogram (maxSize 160), the View applied to its state.
          const runtime = new MetricsRuntime({ namespace: 'p', scheduler: 'sync' });
          runtime.start();
          const producer = createMetricProducer({ views });
          const reader = new TestReader([producer]);
          const ownProvider = new MeterProvider({ readers: [reader] });
          const bridge = attachOtelBridge(runtime, {
            metricProducer: producer,
            recorderAttribute: false,
            selfTelemetry: false,
          });
          const recorder = runtime.createRecorder('r', {
            metrics: () => [
              exponentialHistogram({ name: 'sizes', on: 'size', value: (e: { v: number }) => e.v }),
            ],
          });
          for (const v of values) recorder.registerEvent({ type: 'size', v });
          const ours = streams(await reader.read());
          bridge.detach();
          await ownProvider.shutdown();
          await runtime.shutdown();
          // sdk-metrics: a Histogram under the same View.
          const sdkReader = new TestReader();
          const provider = new MeterProvider({ readers: [sdkReader], views });
          const instrument = provider.getMeter('p').createHistogram('p.sizes');
          for (const v of values) instrument.record(v);
          const sdk = streams(await sdkReader.read());
          await provider.shutdown();
          const strip = (s: ReturnType<typeof streams>) =>
            s.map((stream) => ({
              ...stream,
              points: stream.points.map((p) => {
                const { count, sum, min, max, scale, zeroCount, positive, negative } =
                  p.value as unknown as Record<string, unknown>;
                return {
                  attributes: p.attributes,
                  value: { count, sum, min, max, scale, zeroCount, positive, negative },
                };
              }),
            }));
          expect(strip(ours)).toEqual(strip(sdk));
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);

  it('on the instruments path (sdk-metrics applies the Views) the same Views give the same streams, where they do not merge observed series', async () => {
    // Observed kinds (counter, up-down counter) are observable instruments there: series a
    // View's processors or limit make one keep sdk-metrics' last observation (its
    // AsyncMetricStorage), so those Views go to the histogram (a sync instrument) only.
    const instrumentsView = view.map((v) => {
      const target = String(v.instrumentName);
      if (target === 'p.latency') return v;
      const { attributesProcessors: _p, aggregationCardinalityLimit: _l, ...rest } = v;
      return rest;
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(instrumentsView, { maxLength: 3 }),
        fc.array(measurement, { minLength: 1, maxLength: 30 }),
        async (views, measurements) => {
          // Two Views making one stream of an observed instrument: sdk-metrics records the
          // observation into the shared storage twice as the same cumulative value (a sync
          // instrument's measurement twice): left to the producer-path property above.
          for (const instrument of ['p.requests', 'p.inflight']) {
            const names = views
              .filter((v) => selects(String(v.instrumentName), instrument))
              .map((v) => (v.name ?? instrument).toLowerCase());
            fc.pre(new Set(names).size === names.length);
          }
          expect(await mirrored(views, measurements, 'instruments')).toEqual(
            await mirrored(views, measurements, 'producer'),
          );
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);

  it('on the instruments path, counter series a View makes one keep the last observation (sdk-metrics), where the producer path adds them', async () => {
    const views: ViewOptions[] = [
      {
        instrumentName: 'p.requests',
        attributesProcessors: [createDenyListAttributesProcessor(['user'])],
      },
    ];
    const measurements: Measurement[] = [
      { instrument: 'requests', attributes: { route: 'a', user: '1' }, value: 2 },
      { instrument: 'requests', attributes: { route: 'a', user: '2' }, value: 5 },
    ];
    const value = (s: Awaited<ReturnType<typeof mirrored>>) => s[0]?.points[0]?.value;
    expect(value(await mirrored(views, measurements, 'producer'))).toBe(7);
    expect(value(await reference(views, measurements))).toBe(7);
    expect(value(await mirrored(views, measurements, 'instruments'))).toBe(5);
  });
});
