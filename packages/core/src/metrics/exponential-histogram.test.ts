import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { copyState, emptyState, record } from '../kinds/exponential/index.js';
import { exponentialHistogramKind, exponentialLimitsOf } from '../kinds/index.js';
import type { ExponentialHistogramPoint } from '../snapshots/types.js';
import { createTestRecorder, exponentialHistogramPoint } from '../testing/index.js';
import { describeMetric } from './describe.js';
import { exponentialHistogram } from './exponential-histogram.js';

type Served = { type: 'served'; route: string; seconds: number };
const served = (seconds: number, route = '/a'): Served => ({ type: 'served', route, seconds });

function latency(options: { maxSize?: number; maxScale?: number } = {}) {
  return exponentialHistogram({
    name: 'request.duration',
    unit: 's',
    on: 'served',
    value: (e: Served) => e.seconds,
    attributes: (e: Served) => ({ route: e.route }),
    ...options,
  });
}

/** What the aggregation gives for `values` recorded in order, as a snapshot point. */
function expectedPoint(
  values: number[],
  attributes = { route: '/a' },
  limits = { maxSize: 160, maxScale: 20 },
): ExponentialHistogramPoint {
  const state = emptyState();
  for (const v of values) record(state, v, limits);
  return { attributes, ...copyState(state) };
}

describe('exponentialHistogram', () => {
  it('records observations of both signs and zeros into the OpenTelemetry point shape', () => {
    const recorder = createTestRecorder([latency()]);
    for (const s of [0.25, 0.3, 0, -2, 1.5, 0.25]) recorder.registerEvent(served(s));
    const point = exponentialHistogramPoint(recorder, 'request.duration', { route: '/a' });
    expect(point).toEqual(expectedPoint([0.25, 0.3, 0, -2, 1.5, 0.25]));
    expect(point).toMatchObject({ count: 6, zeroCount: 1, min: -2, max: 1.5 });
    expect(point?.sum).toBe(0.25 + 0.3 + 0 - 2 + 1.5 + 0.25);
    expect(Object.keys(point as object).sort()).toEqual(
      [
        'attributes',
        'count',
        'max',
        'min',
        'negative',
        'positive',
        'scale',
        'sum',
        'zeroCount',
      ].sort(),
    );
  });

  it('equals the aggregation of the accepted values, per attribute set (property)', () => {
    const event = fc.record({
      type: fc.constant('served' as const),
      route: fc.constantFrom('/a', '/b'),
      seconds: fc.oneof(
        fc.double({ noNaN: false }),
        fc.constantFrom(0, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE),
      ),
    });
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 200 }),
        fc.constantFrom(2, 7, 160),
        (events, maxSize) => {
          const recorder = createTestRecorder([latency({ maxSize })]);
          const accepted: Record<string, number[]> = { '/a': [], '/b': [] };
          const limits = { maxSize, maxScale: 20 };
          // The reference: each route's finite values whose running sum stays finite.
          const sums = emptyStates();
          let refused = 0;
          for (const e of events) {
            recorder.registerEvent(e);
            const state = sums[e.route] as ReturnType<typeof emptyState>;
            if (Number.isFinite(e.seconds) && record(state, e.seconds, limits)) {
              accepted[e.route]?.push(e.seconds);
            } else {
              refused++;
            }
          }
          for (const route of ['/a', '/b']) {
            const values = accepted[route] as number[];
            const point = exponentialHistogramPoint(recorder, 'request.duration', { route });
            if (values.length === 0) expect(point).toBeUndefined();
            else expect(point).toEqual(expectedPoint(values, { route }, limits));
          }
          const [snapshot] = recorder.getMetricSnapshots();
          expect(snapshot?.dropped).toBe(refused);
          // Non-finite values and overflows share the code `invalid-value`: reported once.
          expect(recorder.errors.length).toBe(refused === 0 ? 0 : 1);
        },
      ),
    );
  });

  it('refuses NaN, ±Infinity and a sum that would overflow, counts and reports each once per kind', () => {
    const recorder = createTestRecorder([latency()]);
    for (const s of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      recorder.registerEvent(served(s));
    }
    recorder.registerEvent(served(Number.MAX_VALUE));
    recorder.registerEvent(served(Number.MAX_VALUE));
    const [snapshot] = recorder.getMetricSnapshots();
    expect(snapshot?.dropped).toBe(4);
    expect(snapshot?.points).toEqual([expectedPoint([Number.MAX_VALUE])]);
    expect(recorder.errors.map((e) => [e.code, e.message])).toEqual([
      [
        'invalid-value',
        'Metric "request.duration" in recorder "test" dropped value NaN: not a finite number.',
      ],
    ]);
    const overflow = createTestRecorder([latency()]);
    overflow.registerEvent(served(Number.MAX_VALUE));
    overflow.registerEvent(served(Number.MAX_VALUE));
    expect(overflow.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/dropped value .*: adding it would overflow to a non-finite sum\./),
    ]);
  });

  it('describes its kind and limits; snapshots are JSON copies that share nothing with the state', () => {
    const metric = latency({ maxSize: 20, maxScale: 3 });
    expect(describeMetric(metric)).toMatchObject({
      name: 'request.duration',
      kind: 'exponentialHistogram',
      unit: 's',
      maxSize: 20,
      maxScale: 3,
    });
    const recorder = createTestRecorder([metric]);
    recorder.registerEvent(served(2));
    const point = exponentialHistogramPoint(recorder, 'request.duration', { route: '/a' });
    expect(point?.scale).toBe(3);
    expect(JSON.parse(JSON.stringify(point))).toEqual(point);
    point?.positive.bucketCounts.push(99);
    (point as { count: number }).count = 42;
    recorder.registerEvent(served(3));
    expect(exponentialHistogramPoint(recorder, 'request.duration', { route: '/a' })).toEqual(
      expectedPoint([2, 3], { route: '/a' }, { maxSize: 20, maxScale: 3 }),
    );
  });

  it('starts initial points empty and sends new attribute sets past the limit to the overflow point', () => {
    const metric = exponentialHistogram({
      name: 'request.duration',
      on: 'served',
      value: (e: Served) => e.seconds,
      attributes: (e: Served) => ({ route: e.route }),
      initial: [{ route: '/x' }],
      cardinalityLimit: 3,
    });
    const recorder = createTestRecorder([metric]);
    expect(exponentialHistogramPoint(recorder, 'request.duration', { route: '/x' })).toEqual(
      expectedPoint([], { route: '/x' }),
    );
    for (const route of ['/a', '/b', '/c']) recorder.registerEvent(served(1, route));
    expect(
      exponentialHistogramPoint(recorder, 'request.duration', { 'otel.metric.overflow': true }),
    ).toMatchObject({ count: 2 });
  });

  it('takes maxSize 2..16384 and maxScale -10..20 (integers), and refuses anything else at wiring', () => {
    const option = fc.oneof(
      fc.integer({ min: -30, max: 20_000 }),
      fc.double(),
      fc.constantFrom(undefined, null, '160', true, {}, [], 2 ** 31, 160.5, Number.NaN),
    );
    fc.assert(
      fc.property(option, option, (maxSize, maxScale) => {
        const build = () => latency({ maxSize, maxScale } as { maxSize: number; maxScale: number });
        const sizeOk =
          maxSize === undefined ||
          (Number.isInteger(maxSize) && (maxSize as number) >= 2 && (maxSize as number) <= 16384);
        const scaleOk =
          maxScale === undefined ||
          (Number.isInteger(maxScale) && (maxScale as number) >= -10 && (maxScale as number) <= 20);
        if (sizeOk && scaleOk) {
          expect(describeMetric(build())).toMatchObject({
            maxSize: maxSize ?? 160,
            maxScale: maxScale ?? 20,
          });
        } else {
          expect(build).toThrow(MetricsWiringError);
          expect(build).toThrow(
            new RegExp(
              `^Exponential histogram "request\\.duration": ${sizeOk ? 'maxScale' : 'maxSize'} must be an integer`,
            ),
          );
        }
      }),
    );
  });
});

describe('the exponentialHistogram kind definition', () => {
  it('keeps its limits on each point, out of the snapshot shape, through copies and merges', () => {
    const limits = exponentialHistogramKind.configure({
      name: 'h',
      unit: undefined,
      buckets: undefined,
      maxSize: 4,
      maxScale: 2,
    });
    const point = exponentialHistogramKind.createPoint({ k: 'v' }, limits);
    expect(exponentialLimitsOf(point)).toEqual({ maxSize: 4, maxScale: 2 });
    expect(Object.keys(point)).not.toContain('limits');
    for (const v of [1, 100, 1e6]) exponentialHistogramKind.apply(point, v);
    expect(point.positive.bucketCounts.length).toBeLessThanOrEqual(4);
    const copy = exponentialHistogramKind.copyPoint(point);
    expect(copy).toEqual(point);
    expect(copy.positive.bucketCounts).not.toBe(point.positive.bucketCounts);
    expect(copy.attributes).not.toBe(point.attributes);
    expect(exponentialLimitsOf(copy)).toBe(exponentialLimitsOf(point));
    const before = structuredClone(point);
    const merged = exponentialHistogramKind.merge(point, copy);
    expect(point).toEqual(before);
    expect(merged).toMatchObject({ count: 6, attributes: { k: 'v' } });
    expect(exponentialLimitsOf(merged as object)).toBe(exponentialLimitsOf(point));
    const full = exponentialHistogramKind.createPoint({}, limits);
    exponentialHistogramKind.apply(full, Number.MAX_VALUE);
    expect(exponentialHistogramKind.merge(full, full)).toBeUndefined();
  });
});

function emptyStates(): Record<string, ReturnType<typeof emptyState>> {
  return { '/a': emptyState(), '/b': emptyState() };
}
