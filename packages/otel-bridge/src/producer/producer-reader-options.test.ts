// What forReader() accepts as a reader's temporality (a selector, a reader or exporter with
// selectAggregationTemporality, one without it: cumulative) and refuses in words, and that a
// feed that throws during a collection is an error of that collection, not a rejection.
import { MetricsWiringError } from '@mvx-metrics/core';
import { AggregationTemporality, type InstrumentType } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { addProducerFeed, createMetricProducer } from './mvx-metric-producer.js';

function refusal(fn: () => unknown): MetricsWiringError {
  try {
    fn();
  } catch (error) {
    return error as MetricsWiringError;
  }
  throw new Error('expected a throw');
}

describe('MvxMetricProducer.forReader', () => {
  it('refuses a temporality source that is neither a selector nor an object, naming forReader', () => {
    const producer = createMetricProducer();
    for (const [source, shown] of [
      [5, '5'],
      [null, 'null'],
      [undefined, 'undefined'],
      ['delta', '"delta"'],
    ] as const) {
      const error = refusal(() => producer.forReader(source as never));
      expect(error).toBeInstanceOf(MetricsWiringError);
      expect(error.code).toBe('invalid-option');
      expect(error.message).toBe(
        `forReader: the reader's temporality must be an aggregation temporality selector, a reader or a push exporter, got ${shown}.`,
      );
    }
  });

  it('refuses a selectAggregationTemporality that is not a function', () => {
    const error = refusal(() =>
      createMetricProducer().forReader({ selectAggregationTemporality: 5 } as never),
    );
    expect(error.code).toBe('invalid-option');
    expect(error.message).toBe(
      'forReader: selectAggregationTemporality must be a function, got 5.',
    );
  });

  it('accepts a reader without a selector (cumulative) and a reader with one', async () => {
    const producer = createMetricProducer();
    await expect(producer.forReader({} as never).collect()).resolves.toMatchObject({ errors: [] });
    const reader = {
      preferred: AggregationTemporality.DELTA,
      selectAggregationTemporality(this: { preferred: AggregationTemporality }, _: InstrumentType) {
        return this.preferred;
      },
    };
    await expect(producer.forReader(reader as never).collect()).resolves.toMatchObject({
      errors: [],
    });
  });

  it('a feed that throws is an error of that collection; the others still feed it', async () => {
    const producer = createMetricProducer();
    const boom = new Error('feed broke');
    let fed = 0;
    addProducerFeed(producer, {
      collectInto() {
        throw boom;
      },
    });
    addProducerFeed(producer, {
      collectInto() {
        fed += 1;
      },
    });
    const result = await producer.forReader(() => AggregationTemporality.CUMULATIVE).collect();
    expect(result.errors).toEqual([boom]);
    expect(result.resourceMetrics.scopeMetrics).toEqual([]);
    expect(fed).toBe(1);
  });

  it('a feed can only be added to a producer made by createMetricProducer()', () => {
    const error = refusal(() => addProducerFeed({} as never, { collectInto() {} }));
    expect(error.code).toBe('invalid-option');
    expect(error.message).toBe(
      'attachOtelBridge: metricProducer must come from createMetricProducer() or a pipeline.',
    );
  });
});
