import { describe, expect, it } from 'vitest';
import { kindFixture, REGISTERED_KINDS } from '../../../../test/support/kind-fixtures.js';
import { describeMetric, type Metric } from '../metrics/index.js';
import type { HistogramPoint, NumberPoint } from '../snapshots/types.js';
import { createTestRecorder } from '../testing/index.js';
import {
  counterKind,
  exponentialHistogramKind,
  findKindDefinition,
  gaugeKind,
  histogramKind,
  KIND_DEFINITIONS,
  kindDefinition,
  upDownCounterKind,
} from './index.js';

const number = (value: number): NumberPoint => ({ attributes: {}, value });

describe('the kind registry', () => {
  it('lists each built-in kind once, found by its name', () => {
    const kinds = KIND_DEFINITIONS.map((d) => d.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds).toEqual([
      'counter',
      'upDownCounter',
      'gauge',
      'histogram',
      'exponentialHistogram',
    ]);
    for (const definition of KIND_DEFINITIONS) {
      expect(kindDefinition(definition.kind)).toBe(definition);
      expect(findKindDefinition(definition.kind)).toBe(definition);
      expect(Object.isFrozen(definition)).toBe(true);
    }
    for (const other of ['ratio', 'toString', '__proto__', 'constructor', 1, undefined]) {
      expect(findKindDefinition(other)).toBeUndefined();
    }
  });

  it('keeps the rules of each kind on a frozen prototype of its own, its data on the definition', () => {
    // The hot path's `definition.apply(...)` is inlined per kind only when the rules are constants
    // of the definition's hidden class (define-kind.ts): a definition written back as a plain
    // object literal would still work, and lose that.
    const prototypes = new Set<object>();
    for (const definition of KIND_DEFINITIONS) {
      const rules = Object.getPrototypeOf(definition) as object;
      expect(rules).not.toBe(Object.prototype);
      expect(Object.isFrozen(rules)).toBe(true);
      prototypes.add(rules);
      for (const name of [
        'configure',
        'describe',
        'createPoint',
        'checkValue',
        'apply',
        'merge',
        'copyPoint',
      ]) {
        expect(Object.hasOwn(definition, name)).toBe(false);
        expect(typeof Object.getOwnPropertyDescriptor(rules, name)?.value).toBe('function');
      }
      expect(Object.keys(definition).sort()).toEqual(['accumulates', 'kind', 'requiresValue']);
    }
    expect(prototypes.size).toBe(KIND_DEFINITIONS.length);
  });

  it('has a test fixture for every kind, which builds a metric of that kind on its definition', () => {
    for (const definition of KIND_DEFINITIONS) {
      const metric = kindFixture(definition.kind).metric({
        name: 'm',
        on: 'e',
        value: (e: { v: number }) => e.v,
      });
      expect(describeMetric(metric).kind).toBe(definition.kind);
      const recorder = createTestRecorder([metric]);
      recorder.registerEvent({ type: 'e', v: 3 });
      const [point] = metric.snapshot().points;
      // the metric's point is the definition's point with the value applied
      const expected = definition.createPoint({}, definition.configure(metricOptions(metric)));
      expect(definition.apply(expected as never, 3)).toBe(true);
      expect(point).toEqual(expected);
      // what the fixture maps values to, the kind accepts
      for (const v of [-5, -0.5, 0, 3, 1e300]) {
        expect(definition.checkValue(kindFixture(definition.kind).accepted(v))).toBeUndefined();
      }
    }
    expect(REGISTERED_KINDS).toEqual(KIND_DEFINITIONS.map((d) => d.kind));
  });

  it('names the kind that lacks a fixture', () => {
    expect(() => kindFixture('maxGauge')).toThrow(/"maxGauge".*test\/support\/kind-fixtures\.ts/);
  });
});

// What the definition configured the fixture's metric with: the histogram's boundaries.
function metricOptions(metric: Metric) {
  const boundaries = describeMetric(metric).boundaries;
  return { name: 'm', unit: undefined, buckets: boundaries };
}

describe('value checks', () => {
  it('take finite numbers; counter and histogram refuse negatives, with the codes core reports', () => {
    for (const definition of KIND_DEFINITIONS) {
      expect(definition.checkValue(2)).toBeUndefined();
      expect(definition.checkValue(0)).toBeUndefined();
      expect(definition.checkValue('2')).toEqual([
        'invalid-value',
        'expected a number, got string',
      ]);
      expect(definition.checkValue(Number.NaN)).toEqual(['invalid-value', 'not a finite number']);
      expect(definition.checkValue(Number.POSITIVE_INFINITY)).toEqual([
        'invalid-value',
        'not a finite number',
      ]);
    }
    expect(counterKind.checkValue(-1)).toEqual([
      'negative-increment',
      'a counter only goes up (use upDownCounter for deltas)',
    ]);
    expect(histogramKind.checkValue(-1)).toEqual([
      'invalid-value',
      'a histogram records non-negative values (as OpenTelemetry does)',
    ]);
    expect(upDownCounterKind.checkValue(-1)).toBeUndefined();
    expect(gaugeKind.checkValue(-1)).toBeUndefined();
    expect(exponentialHistogramKind.checkValue(-1)).toBeUndefined();
    expect(KIND_DEFINITIONS.filter((d) => d.requiresValue).map((d) => d.kind)).toEqual([
      'gauge',
      'histogram',
      'exponentialHistogram',
    ]);
  });
});

describe('apply', () => {
  it('adds to sums and sets gauges; refuses a non-finite result and leaves the point', () => {
    for (const sum of [counterKind, upDownCounterKind]) {
      const point = number(2);
      expect(sum.apply(point, 3)).toBe(true);
      expect(point.value).toBe(5);
      const full = number(Number.MAX_VALUE);
      expect(sum.apply(full, Number.MAX_VALUE)).toBe(false);
      expect(full.value).toBe(Number.MAX_VALUE);
    }
    const gauge = number(2);
    expect(gaugeKind.apply(gauge, -7)).toBe(true);
    expect(gauge.value).toBe(-7);
  });

  it('counts an observation in its (previous, bound] bucket, min/max from the first on', () => {
    const point = histogramKind.createPoint({}, [1, 5]);
    for (const v of [5, 1, 0.5, 6]) expect(histogramKind.apply(point, v)).toBe(true);
    expect(point).toEqual({
      attributes: {},
      count: 4,
      sum: 12.5,
      min: 0.5,
      max: 6,
      boundaries: [1, 5],
      bucketCounts: [2, 1, 1],
    });
    const full = histogramKind.createPoint({}, [1]);
    histogramKind.apply(full, Number.MAX_VALUE);
    const before = structuredClone(full);
    expect(histogramKind.apply(full, Number.MAX_VALUE)).toBe(false);
    expect(full).toEqual(before);
  });
});

describe('merge', () => {
  it('adds sums (refusing a non-finite total), keeps the gauge added last, never changes inputs', () => {
    expect(counterKind.merge(number(2), number(3))).toEqual(number(5));
    expect(upDownCounterKind.merge(number(2), number(-3))).toEqual(number(-1));
    expect(counterKind.merge(number(Number.MAX_VALUE), number(Number.MAX_VALUE))).toBeUndefined();
    expect(gaugeKind.merge(number(2), number(3))).toEqual(number(3));
    const into = number(1);
    counterKind.merge(into, number(1));
    expect(into).toEqual(number(1));
  });

  it('adds histograms of the same boundaries; min/max from the non-empty ones', () => {
    const of = (boundaries: number[], values: number[]) => {
      const point = histogramKind.createPoint({}, boundaries);
      for (const v of values) histogramKind.apply(point, v);
      return point;
    };
    const a = of([1, 5], [0.5, 7]);
    const b = of([1, 5], [3]);
    const frozen = structuredClone([a, b]);
    expect(histogramKind.merge(a, b)).toEqual(of([1, 5], [0.5, 7, 3]));
    expect([a, b]).toEqual(frozen);
    expect(histogramKind.merge(of([1, 5], []), b)).toEqual(of([1, 5], [3]));
    expect(histogramKind.merge(b, of([1, 5], []))).toEqual(of([1, 5], [3]));
    expect(histogramKind.merge(a, of([1, 6], [3]))).toBeUndefined();
    expect(histogramKind.merge(a, of([1], [3]))).toBeUndefined();
    const big = of([1], [Number.MAX_VALUE]);
    expect(histogramKind.merge(big, big)).toBeUndefined();
  });

  it('copies share nothing with the point', () => {
    const point: HistogramPoint = histogramKind.createPoint({ k: 'v' }, [1]);
    const copy = histogramKind.copyPoint(point);
    expect(copy).toEqual(point);
    expect(copy.attributes).not.toBe(point.attributes);
    expect(copy.bucketCounts).not.toBe(point.bucketCounts);
    expect(copy.boundaries).not.toBe(point.boundaries);
  });
});
