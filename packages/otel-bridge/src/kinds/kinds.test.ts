import { describeMetric } from '@mvx-metrics/core';
import { KIND_DEFINITIONS } from '@mvx-metrics/core/kinds';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { metricOfEveryKind } from '../../../../test/support/kind-fixtures.js';
import type { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { Reporter } from '../internal/report.js';
import { adapterFor, adapterForData, fallbackAdapter, KIND_ADAPTERS, sumAdapter } from './index.js';

const on = 'n';

describe('kind adapters', () => {
  it("have one adapter for each of core's registered kinds, found from the descriptor", () => {
    // every kind in core's runtime registry, built by its test fixture
    const metrics = metricOfEveryKind((kind) => ({ name: `m.${kind}`, on }));
    const descriptors = metrics.map((metric) => describeMetric(metric));
    expect(descriptors.map((d) => d.kind)).toEqual(KIND_DEFINITIONS.map((d) => d.kind));
    const errors: unknown[] = [];
    const reporter = new Reporter((error) => errors.push(error));
    const adapters = descriptors.map((descriptor) => adapterFor(descriptor, reporter));
    expect(errors).toEqual([]); // no registered kind falls back to the unknown-kind gauge
    expect(adapters.map((a) => a.kind)).toEqual(descriptors.map((d) => d.kind));
    // each adapter applies changes with its kind's own core definition
    adapters.forEach((a, i) => {
      expect(a.definition).toBe(KIND_DEFINITIONS[i]);
    });
    expect(new Set(adapters)).toEqual(new Set(KIND_ADAPTERS));
    expect(new Set(KIND_ADAPTERS.map((a) => a.kind)).size).toBe(KIND_ADAPTERS.length);
  });

  it('recognise the metric data they build, and only theirs', () => {
    for (const adapter of KIND_ADAPTERS) {
      const data = adapter.metricData({ name: 'x', unit: '', description: '' });
      expect(data.dataPointType).toBe(adapter.dataPointType);
      // data is read by its export shape, which the kind's adapter names
      expect(adapterForData(data)).toBe(adapter.shape);
      expect(adapter.matches(data)).toBe(true);
      for (const other of KIND_ADAPTERS) {
        expect(other.matches(data)).toBe(other.shape === adapter.shape);
      }
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
      exponentialHistogram: ['ns_x', 'ns_x_count', 'ns_x_sum', 'ns_x_bucket'],
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
