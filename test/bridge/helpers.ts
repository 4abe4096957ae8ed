import type { ExponentialHistogramPoint, MetricsError, MetricsRuntime } from '@mvx-metrics/core';
import {
  exponentialHistogramKind,
  exponentialLimitsOf,
  findKindDefinition,
  withExponentialLimits,
} from '@mvx-metrics/core/kinds';
import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import {
  DataPointType,
  type MetricData,
  type MetricProducer,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, expect } from 'vitest';

/**
 * The bridge tests' shared afterEach: runs what the test pushed on `cleanups` (last first), then
 * fails the test on any reported error it did not expect. `errors.onError` is the handler for the
 * current test's runtimes; each test gets a fresh collector.
 */
export function cleanUpAfterEach(expected?: string[]) {
  const cleanups: Array<() => unknown> = [];
  let current = collectErrors(expected);
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    const unexpected = current.unexpected();
    current = collectErrors(expected);
    expect(unexpected).toEqual([]);
  });
  const errors = {
    get onError() {
      return current.onError;
    },
  };
  return { cleanups, errors };
}

/** A reader whose `collect()` the test calls: what any exporter would receive. */
export class TestReader extends MetricReader {
  constructor(metricProducers: MetricProducer[] = []) {
    super({ metricProducers });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  /** Collects and fails the test on collection errors. */
  async read(): Promise<ResourceMetrics> {
    const { resourceMetrics, errors } = await this.collect();
    if (errors.length > 0) throw new AggregateError(errors, 'collection errors');
    return resourceMetrics;
  }
}

/** The kinds this file models by plain arithmetic (an unknown kind is exported as a gauge). */
const MODELLED_KINDS: readonly string[] = [
  'counter',
  'upDownCounter',
  'gauge',
  'histogram',
  'exponentialHistogram',
];

/** One exported series in a comparable shape. */
export interface Series {
  scope: string;
  name: string;
  kind: 'counter' | 'upDownCounter' | 'gauge' | 'histogram' | 'exponentialHistogram';
  attributes: OtelAttributes;
  value?: number;
  /** Exponential histograms: the point value as OpenTelemetry's ExponentialHistogram holds it. */
  exponential?: ExponentialValue;
  count?: number;
  sum?: number;
  buckets?: number[];
  boundaries?: number[];
}

function kindOf(metric: MetricData): Series['kind'] {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'upDownCounter';
    case DataPointType.HISTOGRAM:
      return 'histogram';
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return 'exponentialHistogram';
    default:
      return 'gauge';
  }
}

/** Flattens exported data into series, sorted for comparison. `skip` drops instrument names by prefix (default: the self-telemetry). */
export function exportedSeries(
  data: ResourceMetrics,
  skip: string[] = ['mvx.recorder.', 'mvx.runtime.'],
): Series[] {
  const out: Series[] = [];
  for (const scope of data.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (skip.some((prefix) => metric.descriptor.name.startsWith(prefix))) continue;
      const kind = kindOf(metric);
      for (const point of metric.dataPoints as Array<{
        attributes: OtelAttributes;
        value: unknown;
      }>) {
        const base = {
          scope: scope.scope.name,
          name: metric.descriptor.name,
          kind,
          attributes: point.attributes,
        };
        if (kind === 'histogram') {
          const h = point.value as {
            count: number;
            sum?: number;
            buckets: { boundaries: number[]; counts: number[] };
          };
          out.push({
            ...base,
            count: h.count,
            sum: h.sum ?? 0,
            buckets: h.buckets.counts,
            boundaries: h.buckets.boundaries,
          });
        } else if (kind === 'exponentialHistogram') {
          out.push({ ...base, exponential: exponentialValue(point.value as ExponentialValue) });
        } else {
          out.push({ ...base, value: point.value as number });
        }
      }
    }
  }
  const keys = out.map(
    (s) => `${s.scope}|${s.name}|${JSON.stringify(Object.entries(s.attributes).sort())}`,
  );
  const duplicate = keys.find((key, i) => keys.indexOf(key) !== i);
  if (duplicate !== undefined) throw new Error(`series exported twice: ${duplicate}`);
  return sortSeries(out);
}

/**
 * The series core state says should be exported for `runtime`, with the recorder attribute. Series
 * that end up with the same attributes (recorder attribute off, or a point's own attribute under
 * its key) are aggregated as the bridge documents: sums added, histograms merged, the gauge value
 * of the later recorder (in runtime order) kept.
 */
export function expectedSeries(
  runtime: MetricsRuntime,
  recorderAttribute: string | false = 'recorder',
): Series[] {
  const out: Series[] = [];
  for (const recorder of runtime.recorders()) {
    for (const snapshot of recorder.getMetricSnapshots()) {
      const kind = (
        MODELLED_KINDS.includes(snapshot.kind) ? snapshot.kind : 'gauge'
      ) as Series['kind'];
      // A kind of core's registry this model does not know would pass as a gauge: refuse it.
      if (kind !== snapshot.kind && findKindDefinition(snapshot.kind) !== undefined) {
        throw new Error(
          `test/bridge/helpers.ts has no model of the registered kind "${snapshot.kind}": add it to Series, exportedSeries and aggregate.`,
        );
      }
      for (const point of snapshot.points) {
        const attributes =
          recorderAttribute === false
            ? { ...point.attributes }
            : { ...point.attributes, [recorderAttribute]: recorder.name };
        const base = {
          scope: runtime.namespace,
          name: `${runtime.namespace}.${snapshot.name}`,
          kind,
          attributes,
        };
        if ('bucketCounts' in point) {
          out.push({
            ...base,
            count: point.count,
            sum: point.sum,
            buckets: point.bucketCounts,
            boundaries: point.boundaries,
          });
        } else if ('value' in point) {
          out.push({ ...base, value: point.value });
        } else {
          out.push({ ...base, exponential: exponentialValue(point) });
        }
      }
    }
  }
  return sortSeries(aggregate(out));
}

function seriesKey(s: Series): string {
  return `${s.scope}|${s.name}|${JSON.stringify(Object.entries(s.attributes).sort())}`;
}

function aggregate(series: Series[]): Series[] {
  const byKey = new Map<string, Series>();
  for (const s of series) {
    const key = seriesKey(s);
    const found = byKey.get(key);
    if (found === undefined) {
      byKey.set(key, { ...s });
    } else if (s.kind === 'gauge') {
      if (s.value !== undefined) found.value = s.value;
    } else if (s.kind === 'exponentialHistogram') {
      // As the bridge merges series of one attribute set: with core's definition of the kind.
      // (under the limits of the metric, which its snapshot points carry)
      const point = (v: ExponentialValue | undefined) =>
        withExponentialLimits(
          { attributes: {}, min: 0, max: 0, ...v, sum: v?.sum ?? 0 } as ExponentialHistogramPoint,
          exponentialLimitsOf(v as object),
        );
      const merged = exponentialHistogramKind.merge(point(found.exponential), point(s.exponential));
      if (merged === undefined)
        throw new Error(`exponential histograms do not merge: ${seriesKey(s)}`);
      found.exponential = exponentialValue(merged);
    } else if (s.kind === 'histogram') {
      found.count = (found.count ?? 0) + (s.count ?? 0);
      found.sum = (found.sum ?? 0) + (s.sum ?? 0);
      const buckets = found.buckets;
      if (buckets !== undefined) found.buckets = buckets.map((c, i) => c + (s.buckets?.[i] ?? 0));
    } else {
      found.value = (found.value ?? 0) + (s.value ?? 0);
    }
  }
  return [...byKey.values()];
}

function sortSeries(series: Series[]): Series[] {
  return series.sort((a, b) => {
    const ka = seriesKey(a);
    const kb = seriesKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** The value of one self-telemetry series, or undefined. */
export function selfValue(
  data: ResourceMetrics,
  name: string,
  attributes: OtelAttributes,
): number | undefined {
  for (const scope of data.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints as Array<{
        attributes: OtelAttributes;
        value: number;
      }>) {
        const keys = Object.keys(attributes);
        if (
          keys.length === Object.keys(point.attributes).length &&
          keys.every((k) => point.attributes[k] === attributes[k])
        ) {
          return point.value;
        }
      }
    }
  }
  return undefined;
}

/**
 * An `onError` that collects, and a check that fails the test on any reported problem except the
 * expected kinds (e.g. `cardinality-limit` in an overflow test). A bridge listener that threw
 * would be reported as `listener-failed` and fail here.
 */
export function collectErrors(expected: string[] = ['cardinality-limit']) {
  const errors: MetricsError[] = [];
  return {
    onError: (error: MetricsError) => {
      errors.push(error);
    },
    /** Every reported problem, expected or not. */
    all: (): readonly MetricsError[] => errors,
    unexpected: () =>
      errors.filter((e) => !expected.includes(e.code)).map((e) => `${e.code}: ${e.message}`),
  };
}

/** The fields of an exponential histogram value that core and OpenTelemetry share. */
export interface ExponentialValue {
  count: number;
  sum?: number | undefined;
  min?: number | undefined;
  max?: number | undefined;
  scale: number;
  zeroCount: number;
  positive: { offset: number; bucketCounts: number[] };
  negative: { offset: number; bucketCounts: number[] };
}

/** `value`'s shared fields, min and max absent while empty (as OpenTelemetry exports them). */
function exponentialValue(value: ExponentialValue): ExponentialValue {
  const out: ExponentialValue = {
    count: value.count,
    sum: value.sum,
    scale: value.scale,
    zeroCount: value.zeroCount,
    positive: { offset: value.positive.offset, bucketCounts: [...value.positive.bucketCounts] },
    negative: { offset: value.negative.offset, bucketCounts: [...value.negative.bucketCounts] },
  };
  if (value.count > 0) {
    out.min = value.min;
    out.max = value.max;
  }
  return withExponentialLimits(out, exponentialLimitsOf(value));
}
