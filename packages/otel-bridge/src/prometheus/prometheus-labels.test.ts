import { ValueType } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type CollectionResult,
  type DataPoint,
  DataPointType,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { prometheusLabels } from './prometheus-labels.js';

const point = (attributes: Record<string, string>, value: number): DataPoint<number> => ({
  startTime: [1, 0],
  endTime: [2, 0],
  attributes,
  value,
});

function metric(name: string, type: DataPointType.GAUGE | DataPointType.SUM): MetricData {
  const base = {
    descriptor: { name, unit: '', description: '', valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    // `a.b` and `a_b` print as the same label `a_b`
    dataPoints: [point({ 'a.b': 'x' }, 2), point({ a_b: 'x' }, 5)],
  };
  return type === DataPointType.SUM
    ? { ...base, dataPointType: type, isMonotonic: true }
    : { ...base, dataPointType: type };
}

async function relabelled(data: MetricData): Promise<DataPoint<number>[]> {
  const result: CollectionResult = {
    resourceMetrics: {
      resource: undefined as never,
      scopeMetrics: [{ scope: { name: 's' }, metrics: [data] }],
    },
    errors: [],
  };
  const out = await prometheusLabels({ collect: async () => result }).collect();
  return out.resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints as DataPoint<number>[];
}

describe('prometheusLabels', () => {
  it('adds up sums whose attributes print as the same labels', async () => {
    const points = await relabelled(metric('s.sum', DataPointType.SUM));
    expect(points.map((p) => [p.attributes, p.value])).toEqual([[{ a_b: 'x' }, 7]]);
  });

  it('keeps the last gauge point among those that print as the same labels, as the bridge does', async () => {
    const points = await relabelled(metric('s.gauge', DataPointType.GAUGE));
    expect(points.map((p) => [p.attributes, p.value])).toEqual([[{ a_b: 'x' }, 5]]);
  });
});
