import { counter, describeMetric, gauge, histogram, upDownCounter } from '@mvx-metrics/core';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import type { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { Reporter } from '../internal/report.js';
import { adapterFor, adapterForData, fallbackAdapter, KIND_ADAPTERS, sumAdapter } from './index.js';

const on = 'n';

describe('kind adapters', () => {
  it('have one adapter for each built-in metric kind, found from the descriptor', () => {
    const metrics = [
      counter({ name: 'c', on }),
      upDownCounter({ name: 'u', on }),
      gauge({ name: 'g', on, value: () => 1 }),
      histogram({ name: 'h', on, value: () => 1 }),
    ];
    const descriptors = metrics.map((metric) => describeMetric(metric));
    const adapters = descriptors.map((descriptor) => adapterFor(descriptor));
    expect(adapters.map((a) => a.kind)).toEqual(descriptors.map((d) => d.kind));
    expect(new Set(adapters)).toEqual(new Set(KIND_ADAPTERS));
    expect(new Set(KIND_ADAPTERS.map((a) => a.kind)).size).toBe(KIND_ADAPTERS.length);
  });

  it('recognise the metric data they build, and only theirs', () => {
    for (const adapter of KIND_ADAPTERS) {
      const data = adapter.metricData({ name: 'x', unit: '', description: '' });
      expect(data.dataPointType).toBe(adapter.dataPointType);
      expect(adapterForData(data)).toBe(adapter);
    }
    expect(sumAdapter(true).metricData({ name: 'x', unit: '', description: '' })).toMatchObject({
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
    });
  });

  it('merge series that share an attribute set: sums add up, a gauge keeps the value added last', () => {
    const byKind = Object.fromEntries(KIND_ADAPTERS.map((a) => [a.kind, a]));
    expect(byKind.counter?.merge(2, 3)).toBe(5);
    expect(byKind.upDownCounter?.merge(2, -3)).toBe(-1);
    expect(byKind.gauge?.merge(2, 3)).toBe(3);
    const h = (counts: number[], boundaries = [1]) => ({
      buckets: { boundaries, counts },
      count: counts[0]! + counts[1]!,
      sum: 4,
      min: 0.5,
      max: 3,
    });
    expect(byKind.histogram?.merge(h([1, 1]), h([2, 0]))).toEqual({
      ...h([3, 1]),
      sum: 8,
    });
    expect(byKind.histogram?.merge(h([1, 1]), h([2, 0], [2]))).toBeUndefined();
  });

  it('name Prometheus samples per kind', () => {
    const names = Object.fromEntries(
      KIND_ADAPTERS.map((a) => [a.kind, a.prometheusSampleNames('ns_x')]),
    );
    expect(names).toEqual({
      counter: ['ns_x_total'],
      upDownCounter: ['ns_x'],
      gauge: ['ns_x'],
      histogram: ['ns_x', 'ns_x_count', 'ns_x_sum', 'ns_x_bucket'],
    });
    expect(sumAdapter(true).prometheusSampleNames('a_total')).toEqual(['a_total']);
  });

  it('report a kind without an adapter once, naming metric and kind, and export it as a gauge', () => {
    const errors: OtelBridgeError[] = [];
    const reporter = new Reporter((error) => errors.push(error as OtelBridgeError));
    const first = adapterFor({ name: 'ns.ratio', kind: 'ratio' }, reporter);
    adapterFor({ name: 'ns.ratio', kind: 'ratio' }, reporter);
    expect(first).toBe(fallbackAdapter());
    expect(first.kind).toBe(adapterFor({ name: 'g', kind: 'gauge' }).kind);
    // what a change means for an unknown kind is unknown: the mirror re-reads its snapshot
    expect(first.begin(1)).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'OtelBridgeError', code: 'unknown-kind' });
    expect(errors[0]?.message).toContain('"ns.ratio" declares the kind "ratio"');
  });
});
