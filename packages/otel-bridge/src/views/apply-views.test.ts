import {
  AggregationType,
  createDenyListAttributesProcessor,
  type HistogramMetricData,
  InstrumentType,
  type ScopeMetrics,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { gaugeShape, histogramShape } from '../kinds/export-shapes.js';
import type { MirroredHistogram } from '../kinds/index.js';
import { applyViews, ViewProblems } from './apply-views.js';
import { rebucket, sdkBoundaries } from './shape-streams.js';
import { compileViews } from './view-options.js';

const histogram = (counts: number[]): MirroredHistogram => ({
  buckets: { boundaries: [1, 5, 10], counts },
  count: counts.reduce((a, b) => a + b, 0),
  sum: 20,
  min: 0.5,
  max: 12,
});

function histogramScope(): ScopeMetrics[] {
  const data = histogramShape.metricData({ name: 'latency', unit: 's', description: '' });
  return [
    {
      scope: { name: 'docs' },
      metrics: [
        {
          ...(data as HistogramMetricData),
          dataPoints: [
            { startTime: [1, 0], endTime: [2, 0], attributes: {}, value: histogram([1, 2, 3, 4]) },
          ],
        },
      ],
    },
  ];
}

const apply = (views: ViewOptions[], scopes = histogramScope()) => {
  const problems = new ViewProblems();
  const out = applyViews(scopes, compileViews('test', views), problems);
  return { out, errors: problems.take() };
};

describe('compileViews', () => {
  it.each<[string, unknown, RegExp]>([
    ['not an array', {}, /views must be an array/],
    ['a View that selects nothing', [{ name: 'x' }], /selects nothing/],
    ['a name with a wildcard selector', [{ instrumentName: 'a*', name: 'x' }], /renames to "x"/],
    ['a name without an instrument name', [{ meterName: 'm', name: 'x' }], /renames to "x"/],
    [
      'a processor without process()',
      [{ instrumentName: 'a', attributesProcessors: [{}] }],
      /attributesProcessors/,
    ],
    [
      'a cardinality limit of 0',
      [{ instrumentName: 'a', aggregationCardinalityLimit: 0 }],
      /at least 1/,
    ],
    [
      'an unknown aggregation',
      [{ instrumentName: 'a', aggregation: { type: 42 } }],
      /aggregation must be/,
    ],
    [
      'boundaries that are not numbers',
      [
        {
          instrumentName: 'a',
          aggregation: {
            type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
            options: { boundaries: ['1'] },
          },
        },
      ],
      /boundaries/,
    ],
    [
      'a maxSize of 1',
      [
        {
          instrumentName: 'a',
          aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 1 } },
        },
      ],
      /maxSize/,
    ],
    ['an unknown instrument type', [{ instrumentType: 'COUNTERS' }], /instrumentType/],
    ['a pattern sdk-metrics cannot compile', [{ instrumentName: 'a**' }], /not a pattern/],
  ])('refuses %s at wiring time, naming the View', (_, views, message) => {
    expect(() => compileViews('createMetricProducer', views)).toThrow(message);
  });

  it('matches as sdk-metrics: the first * of a name pattern, exact unit, type, meter name; a meter version only when empty', () => {
    const [view] = compileViews('test', [{ instrumentName: 'http.*.duration' }]);
    expect(view?.matches('m', 'http.server.duration', '', InstrumentType.HISTOGRAM)).toBe(true);
    expect(view?.matches('m', 'http.server.size', '', InstrumentType.HISTOGRAM)).toBe(false);
    expect(view?.matches('m', 'httpXserver.duration', '', InstrumentType.HISTOGRAM)).toBe(false);
    const [typed] = compileViews('test', [
      { instrumentType: InstrumentType.COUNTER, instrumentUnit: 's', meterName: 'docs' },
    ]);
    expect(typed?.matches('docs', 'any', 's', InstrumentType.COUNTER)).toBe(true);
    expect(typed?.matches('docs', 'any', 'ms', InstrumentType.COUNTER)).toBe(false);
    expect(typed?.matches('other', 'any', 's', InstrumentType.COUNTER)).toBe(false);
    expect(typed?.matches('docs', 'any', 's', InstrumentType.HISTOGRAM)).toBe(false);
    const [versioned] = compileViews('test', [{ meterVersion: '1.0' }]);
    expect(versioned?.matches('docs', 'a', '', InstrumentType.COUNTER)).toBe(false);
  });
});

describe('applyViews', () => {
  it('re-buckets a histogram onto a subset of its boundaries exactly, and leaves min/max out with recordMinMax: false', () => {
    const { out, errors } = apply([
      {
        instrumentName: 'latency',
        aggregation: {
          type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
          options: { boundaries: [Number.POSITIVE_INFINITY, 10, 1], recordMinMax: false },
        },
      },
    ]);
    expect(errors).toEqual([]);
    expect(out[0]?.metrics[0]?.dataPoints[0]?.value).toEqual({
      buckets: { boundaries: [1, 10], counts: [1, 5, 4] },
      count: 10,
      sum: 20,
    });
  });

  it('reports boundaries that split a bucket once, and keeps the histogram as it is', () => {
    const views = [
      {
        instrumentName: 'latency',
        aggregation: {
          type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
          options: { boundaries: [2, 10] },
        },
      },
    ];
    const problems = new ViewProblems();
    const compiled = compileViews('test', views);
    const first = applyViews(histogramScope(), compiled, problems);
    applyViews(histogramScope(), compiled, problems);
    const errors = problems.take();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/not a subset of the histogram's own \(\[1,5,10\]\)/);
    expect(first[0]?.metrics[0]?.dataPoints[0]?.value).toEqual(histogram([1, 2, 3, 4]));
  });

  it('reports an aggregation cumulative state cannot give (a sum of a histogram, a last value of it) and keeps the stream', () => {
    const { out, errors } = apply([
      { instrumentName: 'latency', aggregation: { type: AggregationType.SUM } },
    ]);
    expect(String(errors[0])).toMatch(/aggregation type 2 on "latency", a Histogram/);
    expect(out[0]?.metrics[0]?.dataPoints).toHaveLength(1);
  });

  it('a drop View removes the stream; a metric no View selects goes out as the same object', () => {
    const scopes = histogramScope();
    expect(
      apply([{ instrumentName: 'latency', aggregation: { type: AggregationType.DROP } }], scopes)
        .out,
    ).toEqual([]);
    const kept = apply([{ instrumentName: 'other' }], scopes).out;
    expect(kept[0]?.metrics[0]).toBe(scopes[0]?.metrics[0]);
  });

  it("a gauge's series that become one keep the last of them in the mirror's order", () => {
    const data = gaugeShape.metricData({ name: 'temperature', unit: '', description: '' });
    const scopes: ScopeMetrics[] = [
      {
        scope: { name: 'docs' },
        metrics: [
          {
            ...data,
            dataPoints: [
              {
                startTime: [1, 0],
                endTime: [2, 0],
                attributes: { room: 'a', floor: '1' },
                value: 3,
              },
              {
                startTime: [1, 0],
                endTime: [2, 0],
                attributes: { room: 'b', floor: '1' },
                value: 7,
              },
            ],
          } as never,
        ],
      },
    ];
    const { out } = apply(
      [
        {
          instrumentName: 'temperature',
          attributesProcessors: [createDenyListAttributesProcessor(['room'])],
        },
      ],
      scopes,
    );
    expect(out[0]?.metrics[0]?.dataPoints.map((p) => [p.attributes, p.value])).toEqual([
      [{ floor: '1' }, 7],
    ]);
  });
});

describe('rebucket', () => {
  it('sums runs of old buckets; refuses a bound that is not an old one; sdkBoundaries sorts and drops ±Infinity', () => {
    const buckets = { boundaries: [1, 5, 10], counts: [1, 2, 3, 4] };
    expect(rebucket(buckets, [])).toEqual({ boundaries: [], counts: [10] });
    expect(rebucket(buckets, [5])).toEqual({ boundaries: [5], counts: [3, 7] });
    expect(rebucket(buckets, [5, 5])).toEqual({ boundaries: [5, 5], counts: [3, 0, 7] });
    expect(rebucket(buckets, [0.5])).toBeUndefined();
    expect(rebucket(buckets, [11])).toBeUndefined();
    expect(sdkBoundaries([10, Number.NEGATIVE_INFINITY, 1, Number.POSITIVE_INFINITY])).toEqual([
      1, 10,
    ]);
  });
});
