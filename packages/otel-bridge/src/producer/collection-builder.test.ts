import { DataPointType } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import type { MirroredMetric } from '../mirror/types.js';
import { CollectionBuilder } from './collection-builder.js';

const view = (kind: MirroredMetric['kind'], recorder: string, value: number): MirroredMetric => ({
  instrumentName: 'ns.hits',
  kind,
  unit: '1',
  description: 'd',
  startTime: [5, 0],
  points: [{ attributes: { recorder }, value }],
});

describe('CollectionBuilder', () => {
  it('merges the same metric of several recorders into one metric', () => {
    const builder = new CollectionBuilder([9, 0]);
    builder.addMetric('ns', view('counter', 'a', 1));
    builder.addMetric('ns', view('counter', 'b', 2));
    const [scope] = builder.scopeMetrics();
    expect(scope?.scope).toEqual({ name: 'ns' });
    expect(scope?.metrics).toHaveLength(1);
    const metric = scope?.metrics[0];
    expect(metric?.dataPointType).toBe(DataPointType.SUM);
    expect(metric?.dataPoints).toEqual([
      { startTime: [5, 0], endTime: [9, 0], attributes: { recorder: 'a' }, value: 1 },
      { startTime: [5, 0], endTime: [9, 0], attributes: { recorder: 'b' }, value: 2 },
    ]);
  });

  it('reports a metric name used with two kinds and keeps the first', () => {
    const builder = new CollectionBuilder([9, 0]);
    builder.addMetric('ns', view('counter', 'a', 1));
    builder.addMetric('ns', view('gauge', 'b', 2));
    expect(builder.scopeMetrics()[0]?.metrics[0]?.dataPoints).toHaveLength(1);
    expect(String(builder.errors[0])).toMatch(/ns\.hits.*gauge/);
  });
});
