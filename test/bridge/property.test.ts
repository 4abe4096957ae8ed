import {
  describeMetric,
  exponentialHistogram,
  type MetricKind,
  MetricsRuntime,
} from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { AggregationType, DataPointType, MeterProvider } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downscaleValue } from '../../packages/core/src/kinds/exponential/index.js';
import { adapterFor } from '../../packages/otel-bridge/src/kinds/index.js';
import { metricOfEveryKind } from '../support/kind-fixtures.js';
import {
  collectErrors,
  type ExponentialValue,
  expectedSeries,
  exportedSeries,
  type Series,
  TestReader,
} from './helpers.js';

interface Ev {
  type: 'a' | 'b';
  key: string;
  value: number;
}

// Every kind in core's registry, each twice: on `a` with attributes and a cardinality limit of 4
// (the overflow point included), on `b` without attributes and with an initial point. Values are
// made ones the kind accepts (refusals have tests of their own). On the instruments path a
// recorded kind (a sync instrument: histograms) exports only what it recorded (documented), so
// there it has attributes instead: no point exists before its first event.
// The instruments path hands an exponential histogram to a plain Histogram instrument, whose
// aggregation the user's MeterProvider decides (explicit buckets unless a View says otherwise;
// documented): exported state equals core's there only on the MetricProducer path.
const exactOn = (path: 'producer' | 'instruments', kind: MetricKind) =>
  path === 'producer' ||
  adapterFor({ name: kind, kind }).dataPointType !== DataPointType.EXPONENTIAL_HISTOGRAM;

const metricsFor = (path: 'producer' | 'instruments') => () =>
  [
    ...metricOfEveryKind((kind, fixture) => ({
      name: `a.${kind}`,
      on: 'a',
      attributes: (e: Ev) => ({ key: e.key }),
      value: (e: Ev) => fixture.accepted(e.value),
      cardinalityLimit: 4,
    })),
    ...metricOfEveryKind((kind, fixture) => ({
      name: `b.${kind}`,
      on: 'b',
      value: (e: Ev) => fixture.accepted(e.value),
      ...(path === 'instruments' && adapterFor({ name: kind, kind }).instrument.mode === 'recorded'
        ? { attributes: (e: Ev) => ({ key: e.key }) }
        : { initial: [{}] }),
    })),
  ]
    .filter((metric) => exactOn(path, describeMetric(metric).kind as MetricKind))
    .concat(
      // An exponential histogram both paths export exactly: on the instruments path through the
      // View below (magnitudes there: OpenTelemetry's Histogram takes no negative value). Wide
      // ranges (the scale drops as values arrive), binary fractions: sums added in any order
      // (sdk-metrics adds one collection's to the previous) are exact.
      exponentialHistogram({
        name: 'b.latency',
        on: 'b',
        value: (e: Ev) =>
          (path === 'producer' ? e.value : Math.abs(e.value)) / 2 ** (3 * (e.value % 5)),
        attributes: (e: Ev) => ({ key: e.key }),
        maxSize: 20,
      }),
    );

/** The view a user adds so that the instruments path exports an ExponentialHistogram. */
const EXPONENTIAL_VIEW = {
  instrumentName: 'prop.b.latency',
  aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 20 } },
} as const;

/**
 * On the instruments path sdk-metrics aggregates, and its cumulative merge of one collection into
 * the next can lower the scale below what recording needs (after an interval holding only zeros,
 * or with one sign empty: it widens an empty side's range to index 0). The same data at a coarser
 * scale: core's point downscaled to the exported scale must equal the export exactly.
 */
function atExportedScale(expected: Series[], exported: Series[]): Series[] {
  return expected.map((series) => {
    const out = exported.find(
      (e) =>
        e.name === series.name &&
        JSON.stringify(e.attributes) === JSON.stringify(series.attributes),
    );
    if (series.exponential === undefined || out?.exponential === undefined) return series;
    expect(out.exponential.scale).toBeLessThanOrEqual(series.exponential.scale);
    const core = { ...series.exponential, sum: series.exponential.sum ?? 0, min: 0, max: 0 };
    const lower = downscaleValue(core, out.exponential.scale);
    return {
      ...series,
      exponential: {
        ...series.exponential,
        scale: lower.scale,
        positive: lower.positive,
        negative: lower.negative,
      } as ExponentialValue,
    };
  });
}

const event = fc.record({
  type: fc.constantFrom<'a' | 'b'>('a', 'b'),
  key: fc.constantFrom('x', 'y', 'z', 'w', 'v'),
  // zeros too: histograms count them apart
  value: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: -50, max: 500 }) }, fc.constant(0)),
});
// A step: events for one of two recorders, a collection, or removing a recorder.
const step = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('events' as const),
      recorder: fc.constantFrom('r1', 'r2'),
      events: fc.array(event, { maxLength: 20 }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ op: 'collect' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('remove' as const),
      recorder: fc.constantFrom('r1', 'r2'),
    }),
  },
);

describe('exported state equals core state for random event streams', () => {
  it.each([
    ['producer', 'recorder'],
    ['instruments', 'recorder'],
    // both recorders share their series: the bridge aggregates them
    ['producer', false],
    ['instruments', false],
  ] as const)('%s path, recorderAttribute %s', async (path, recorderAttribute) => {
    const compare = (exported: Series[], expected: Series[]) =>
      expect(exported).toEqual(
        path === 'instruments' ? atExportedScale(expected, exported) : expected,
      );
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 25 }),
        fc.nat({ max: 25 }),
        async (steps, attachAt) => {
          const metrics = metricsFor(path);
          const errors = collectErrors();
          const runtime = new MetricsRuntime({ namespace: 'prop', onError: errors.onError });
          runtime.start();
          const producer = createMetricProducer();
          const reader = new TestReader(path === 'producer' ? [producer] : []);
          const meterProvider = new MeterProvider({ readers: [reader], views: [EXPONENTIAL_VIEW] });
          let detach: (() => void) | undefined;
          const attach = () => {
            detach = attachOtelBridge(
              runtime,
              path === 'producer'
                ? { metricProducer: producer, recorderAttribute }
                : { meterProvider, recorderAttribute },
            ).detach;
          };
          // the instruments path cannot see histogram history from before attach: attach first there
          if (path === 'instruments') attach();
          try {
            for (let i = 0; i < steps.length; i++) {
              if (i === attachAt && detach === undefined) attach();
              const s = steps[i] as (typeof steps)[number];
              if (s.op === 'events') {
                const recorder =
                  runtime.getRecorder(s.recorder) ??
                  runtime.createRecorder(s.recorder, { metrics });
                for (const e of s.events) recorder.registerEvent(e);
              } else if (s.op === 'remove') {
                // removed series vanish on the producer path only (documented)
                if (path === 'producer') await runtime.removeRecorder(s.recorder);
              } else if (detach !== undefined) {
                compare(
                  exportedSeries(await reader.read()),
                  expectedSeries(runtime, recorderAttribute),
                );
              }
            }
            if (detach === undefined) attach();
            compare(
              exportedSeries(await reader.read()),
              expectedSeries(runtime, recorderAttribute),
            );
            expect(errors.unexpected()).toEqual([]);
          } finally {
            detach?.();
            await meterProvider.shutdown();
            await runtime.shutdown();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
