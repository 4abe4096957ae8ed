import { gaugeKind } from '@mvx-metrics/core/kinds';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { gaugeAdapter } from './gauge.js';
import {
  adapterForData,
  EXPORT_SHAPES,
  type ExportShape,
  KIND_ADAPTERS,
  type KindAdapter,
  shapeOf,
} from './index.js';

const descriptor = { name: 'x', unit: '', description: '' };

describe('export shapes', () => {
  it('are told apart by the data alone: point type, and monotonic or not for a Sum', () => {
    const keys = EXPORT_SHAPES.map((shape) => shapeOf(shape.metricData(descriptor)));
    expect(keys).toEqual(EXPORT_SHAPES);
    expect(EXPORT_SHAPES.map((s) => s.name)).toEqual([
      'Sum (monotonic)',
      'Sum (non-monotonic)',
      'Gauge',
      'Histogram',
      'ExponentialHistogram',
    ]);
    const foreign = { ...EXPORT_SHAPES[0]?.metricData(descriptor) } as MetricData;
    expect(adapterForData({ ...foreign, isMonotonic: false } as MetricData)?.name).toBe(
      'Sum (non-monotonic)',
    );
    expect(
      adapterForData({
        ...foreign,
        dataPointType: 99, // a shape the bridge does not export
      } as unknown as MetricData),
    ).toBeUndefined();
  });

  it('each adapter exports as one of them, and every shape is some kind’s', () => {
    const shapes = new Set<ExportShape>(EXPORT_SHAPES);
    for (const adapter of KIND_ADAPTERS) expect(shapes.has(adapter.shape)).toBe(true);
    expect(new Set(KIND_ADAPTERS.map((a) => a.shape))).toEqual(shapes);
  });

  it('let a new core kind export as an existing shape with an adapter of its own', () => {
    // A max-gauge: its own merge rule, exported as a Gauge. Data is still read by its shape, and
    // the two adapters stay apart by their core kind.
    const maxGauge = {
      ...gaugeAdapter,
      kind: 'maxGauge',
      merge: (into: number, added: number) => Math.max(into, added),
    } as unknown as KindAdapter;
    const data = maxGauge.metricData(descriptor);
    expect(adapterForData(data)).toBe(gaugeAdapter.shape);
    expect(maxGauge.matches(data)).toBe(true);
    expect(maxGauge.merge(3, 2)).toBe(3);
    expect(gaugeAdapter.merge(3, 2)).toBe(2);
  });

  it('merge any producer’s points by the core rule of the kind they are exported for', () => {
    const gauge = EXPORT_SHAPES.find((s) => s.dataPointType === DataPointType.GAUGE);
    expect(gauge?.merge(1, 2)).toBe(
      gaugeKind.merge({ attributes: {}, value: 1 }, { attributes: {}, value: 2 })?.value,
    );
    const [monotonic, sum] = EXPORT_SHAPES;
    expect(monotonic?.merge(2, 3)).toBe(5);
    expect(sum?.merge(2, -3)).toBe(-1);
    expect(monotonic?.merge(Number.MAX_VALUE, Number.MAX_VALUE)).toBeUndefined();
  });

  it('merge a histogram with a count but no min/max (optional in OpenTelemetry) keeping the other’s', () => {
    const histogram = EXPORT_SHAPES.find(
      (shape) => shape.dataPointType === DataPointType.HISTOGRAM,
    );
    const h = (counts: number[], extremes?: [number, number]) => ({
      buckets: { boundaries: [1], counts },
      count: counts[0]! + counts[1]!,
      sum: 4,
      ...(extremes === undefined ? {} : { min: extremes[0], max: extremes[1] }),
    });
    expect(histogram?.merge(h([1, 1]), h([0, 2], [2, 3]))).toEqual({
      ...h([1, 3], [2, 3]),
      sum: 8,
    });
    expect(histogram?.merge(h([0, 2], [2, 3]), h([1, 1]))).toEqual({
      ...h([1, 3], [2, 3]),
      sum: 8,
    });
    expect(histogram?.merge(h([1, 1]), h([1, 1]))).toEqual({ ...h([2, 2]), sum: 8 });
  });
});
