// A producer's collection as a reader sees it: in the temporality the reader asks for, View
// problems among the collection's errors when no bridge takes them, a clock that throws turned
// into an error of that collection (never a rejection), and refusals that name the call.
import { MetricsWiringError } from '@mvx-metrics/core';
import {
  AggregationTemporality,
  AggregationType,
  type InstrumentType,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../kinds/index.js';
import type { MirroredMetric } from '../mirror/types.js';
import { addProducerFeed, createMetricProducer } from './mvx-metric-producer.js';

/** A producer fed one cumulative counter whose value `total()` gives at each collection. */
function fedProducer(total: () => number, options?: Parameters<typeof createMetricProducer>[0]) {
  const producer = createMetricProducer({ clock: () => 1_700_000_000_000, ...options });
  addProducerFeed(producer, {
    collectInto(builder) {
      const view: MirroredMetric = {
        instrumentName: 'ns.hits',
        adapter: adapterFor({ name: 'ns.hits', kind: 'counter' }),
        unit: '1',
        description: 'hits',
        startTime: [1_600_000_000, 0],
        points: [{ attributes: { recorder: 'r' }, value: total() }],
        owner: { key: 'recorder', value: 'r' },
        overlapping: false,
      };
      builder.addMetric('ns', view);
    },
  });
  return producer;
}

const valuesOf = (
  result: Awaited<ReturnType<ReturnType<typeof createMetricProducer>['collect']>>,
) =>
  result.resourceMetrics.scopeMetrics.flatMap((scope) =>
    scope.metrics.flatMap((metric) => {
      const sum = metric as SumMetricData;
      return sum.dataPoints.map((point) => [sum.aggregationTemporality, point.value]);
    }),
  );

describe('MvxMetricProducer collections', () => {
  it.each([
    ['a selector', () => AggregationTemporality.DELTA],
    [
      'a reader with selectAggregationTemporality (called on the reader)',
      {
        preferred: AggregationTemporality.DELTA,
        selectAggregationTemporality(
          this: { preferred: AggregationTemporality },
          _: InstrumentType,
        ) {
          return this.preferred;
        },
      },
    ],
  ])(
    'forReader(%s) asking for delta: each collection holds what changed since the last',
    async (_, source) => {
      let total = 3;
      const producer = fedProducer(() => total);
      const reader = producer.forReader(source as never);
      expect(valuesOf(await reader.collect())).toEqual([[AggregationTemporality.DELTA, 3]]);
      total = 8;
      expect(valuesOf(await reader.collect())).toEqual([[AggregationTemporality.DELTA, 5]]);
      // the producer itself stays cumulative
      expect(valuesOf(await producer.collect())).toEqual([[AggregationTemporality.CUMULATIVE, 8]]);
    },
  );

  it('a View problem is an error of the collection when no bridge reports it', async () => {
    const producer = fedProducer(() => 1, {
      views: [
        { instrumentName: 'ns.hits', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } },
      ],
    });
    const result = await producer.collect();
    expect(result.errors).toHaveLength(1);
    expect(String(result.errors[0])).toMatch(
      /views\[0\] asks for aggregation type .* on "ns\.hits"/,
    );
    // the stream keeps its own aggregation
    expect(valuesOf(result)).toEqual([[AggregationTemporality.CUMULATIVE, 1]]);
  });

  it('a clock that throws makes that collection empty, with the error, instead of rejecting', async () => {
    const broken = new Error('clock broke');
    let fail = false; // createMetricProducer calls the clock once to check it
    const producer = fedProducer(() => 1, {
      clock: () => {
        if (fail) throw broken;
        return 1_700_000_000_000;
      },
    });
    fail = true;
    await expect(producer.collect()).resolves.toEqual({
      resourceMetrics: { resource: expect.anything(), scopeMetrics: [] },
      errors: [broken],
    });
    fail = false;
    expect(valuesOf(await producer.collect())).toEqual([[AggregationTemporality.CUMULATIVE, 1]]);
  });

  it('refuses options that are not an object, naming createMetricProducer', () => {
    expect(() => createMetricProducer(5 as never)).toThrow(MetricsWiringError);
    expect(() => createMetricProducer(5 as never)).toThrow(/^createMetricProducer: /);
    expect(() => createMetricProducer({ clock: 5 } as never)).toThrow(/^createMetricProducer: /);
  });
});
