import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { Reporter } from '../internal/report.js';
import { adapterFor } from '../kinds/index.js';
import type { MirroredHistogram, MirroredMetric, MirroredPoint } from '../mirror/types.js';
import { CollectionBuilder } from './collection-builder.js';

const view = (kind: string, recorder: string, value: number): MirroredMetric => ({
  instrumentName: 'ns.hits',
  adapter: adapterFor({ name: 'ns.hits', kind }),
  unit: '1',
  description: 'd',
  startTime: [5, 0],
  points: [{ attributes: { recorder }, value }],
  owner: { key: 'recorder', value: recorder },
  overlapping: false,
});

/** A view of a recorder without the recorder attribute. */
const unowned = (
  kind: string,
  startTime: [number, number],
  points: MirroredPoint[],
): MirroredMetric => ({
  instrumentName: 'ns.hits',
  adapter: adapterFor({ name: 'ns.hits', kind }),
  unit: '1',
  description: 'd',
  startTime,
  points,
  owner: undefined,
  overlapping: false,
});

const histogram = (
  counts: number[],
  sum: number,
  min?: number,
  max?: number,
  boundaries = [1, 10],
): MirroredHistogram => ({
  buckets: { boundaries, counts },
  count: counts.reduce((a, b) => a + b, 0),
  sum,
  ...(min === undefined ? {} : { min }),
  ...(max === undefined ? {} : { max }),
});

function points(builder: CollectionBuilder) {
  return builder.scopeMetrics()[0]?.metrics[0]?.dataPoints as Array<{
    startTime: [number, number];
    attributes: OtelAttributes;
    value: unknown;
  }>;
}

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

  it('keeps the attributes objects of the views when no series can collide', () => {
    const builder = new CollectionBuilder([9, 0]);
    const a = view('counter', 'a', 1);
    builder.addMetric('ns', a);
    builder.addMetric('ns', view('counter', 'b', 2));
    expect(points(builder)[0]?.attributes).toBe(a.points[0]?.attributes);
    // one recorder without the recorder attribute cannot collide with itself either
    const single = new CollectionBuilder([9, 0]);
    const only = unowned('counter', [5, 0], [{ attributes: { m: 'GET' }, value: 1 }]);
    single.addMetric('ns', only);
    expect(points(single)[0]?.attributes).toBe(only.points[0]?.attributes);
  });

  it.each([
    ['counter', 5],
    ['upDownCounter', 5],
    ['gauge', 3],
  ] as const)(
    'aggregates %s series of recorders without the recorder attribute',
    (kind, expected) => {
      const builder = new CollectionBuilder([9, 0]);
      builder.addMetric(
        'ns',
        unowned(
          kind,
          [6, 0],
          [
            { attributes: { m: 'GET', s: 1 }, value: 2 },
            { attributes: { m: 'PUT' }, value: 7 },
          ],
        ),
      );
      // same attribute set, other key order, earlier start
      builder.addMetric(
        'ns',
        unowned(kind, [5, 10], [{ attributes: { s: 1, m: 'GET' }, value: 3 }]),
      );
      expect(points(builder)).toEqual([
        { startTime: [5, 10], endTime: [9, 0], attributes: { m: 'GET', s: 1 }, value: expected },
        { startTime: [6, 0], endTime: [9, 0], attributes: { m: 'PUT' }, value: 7 },
      ]);
    },
  );

  it('merges histogram series: counts, sum and buckets added, min and max the extremes', () => {
    const builder = new CollectionBuilder([9, 0]);
    const first = histogram([1, 2, 0], 14, 0.5, 8);
    builder.addMetric('ns', unowned('histogram', [5, 0], [{ attributes: {}, value: first }]));
    builder.addMetric(
      'ns',
      unowned('histogram', [5, 0], [{ attributes: {}, value: histogram([0, 1, 1], 30, 4, 25) }]),
    );
    builder.addMetric(
      'ns',
      unowned('histogram', [5, 0], [{ attributes: {}, value: histogram([0, 0, 0], 0) }]),
    );
    expect(points(builder).map((p) => p.value)).toEqual([
      { buckets: { boundaries: [1, 10], counts: [1, 3, 1] }, count: 5, sum: 44, min: 0.5, max: 25 },
    ]);
    // the view's cached value is not changed by the merge
    expect(first).toEqual(histogram([1, 2, 0], 14, 0.5, 8));
  });

  it('keeps the first histogram series and reports once when bucket boundaries differ', () => {
    const reported: string[] = [];
    const reporter = new Reporter((error) => reported.push(error.message));
    const builder = new CollectionBuilder([9, 0]);
    const add = (boundaries: number[], start: number) =>
      builder.addMetric(
        'ns',
        unowned(
          'histogram',
          [start, 0],
          [{ attributes: {}, value: histogram([1, 1, 1], 9, 1, 5, boundaries) }],
        ),
        reporter,
      );
    add([1, 10], 5);
    add([2, 20], 4);
    add([2, 20], 3);
    expect(points(builder)).toEqual([
      expect.objectContaining({ startTime: [5, 0], value: histogram([1, 1, 1], 9, 1, 5) }),
    ]);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(/ns\.hits.*bucket boundaries/);
  });

  it('aggregates the series of two recorders that carry the same recorder name', () => {
    // two runtimes with one namespace, each with a recorder "a", on one producer
    const builder = new CollectionBuilder([9, 0]);
    builder.addMetric('ns', view('counter', 'a', 1));
    builder.addMetric('ns', view('counter', 'b', 10));
    builder.addMetric('ns', view('counter', 'a', 2));
    expect(points(builder).map((p) => [p.attributes, p.value])).toEqual([
      [{ recorder: 'a' }, 3],
      [{ recorder: 'b' }, 10],
    ]);
  });

  it('aggregates the points of one view whose own attribute was overwritten by the recorder attribute', () => {
    const builder = new CollectionBuilder([9, 0]);
    const attributes = { recorder: 'a', m: 'GET' };
    builder.addMetric('ns', {
      ...view('counter', 'a', 0),
      points: [
        { attributes, value: 1 },
        { attributes: { ...attributes }, value: 2 },
      ],
      overlapping: true,
    });
    expect(points(builder).map((p) => [p.attributes, p.value])).toEqual([[attributes, 3]]);
  });
});

describe('CollectionBuilder with fresh views (live metrics)', () => {
  const fresh = (startTime: [number, number], endTime: [number, number]): MirroredMetric => {
    const base = view('counter', 'r', 3);
    return {
      ...base,
      startTime,
      points: [{ startTime, endTime, attributes: { recorder: 'r' }, value: 3 } as MirroredPoint],
      fresh: true,
    };
  };

  it("takes a fresh view's data points as they are when they carry this collection's end time", () => {
    const endTime: [number, number] = [9, 0];
    const builder = new CollectionBuilder(endTime);
    const made = fresh([5, 0], endTime);
    builder.addMetric('ns', made);
    const [point] = builder.scopeMetrics()[0]?.metrics[0]?.dataPoints ?? [];
    expect(point).toBe(made.points[0]);
    expect(point).toEqual({ startTime: [5, 0], endTime, attributes: { recorder: 'r' }, value: 3 });
  });

  it('copies a fresh view made for another collection, with its own end time', () => {
    const endTime: [number, number] = [9, 0];
    const builder = new CollectionBuilder(endTime);
    const made = fresh([5, 0], [8, 0]);
    builder.addMetric('ns', made);
    const [point] = builder.scopeMetrics()[0]?.metrics[0]?.dataPoints ?? [];
    expect(point).not.toBe(made.points[0]);
    expect(point).toEqual({ startTime: [5, 0], endTime, attributes: { recorder: 'r' }, value: 3 });
  });
});
