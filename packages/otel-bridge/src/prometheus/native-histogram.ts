// An OpenTelemetry exponential histogram point as a Prometheus native histogram (client_model's
// `Histogram` message, the fields after "Everything below here is for native histograms"), as
// OpenTelemetry's Prometheus compatibility spec converts it: the scale becomes the schema (a scale
// above 8 is lowered to 8 by merging buckets; Prometheus reads schemas -4..8), bucket index i
// becomes i + 1 (OpenTelemetry's bucket i is (base^i, base^(i+1)], Prometheus names a bucket by
// its upper boundary), counts go out as spans of consecutive buckets and deltas between them.

/** The highest schema Prometheus reads. */
export const MAX_SCHEMA = 8;
/** The lowest schema Prometheus reads. */
export const MIN_SCHEMA = -4;

/** An exponential histogram point value, as sdk-metrics' `ExponentialHistogram` holds it. */
export interface ExponentialPointValue {
  count: number;
  sum?: number | undefined;
  scale: number;
  zeroCount: number;
  positive: { offset: number; bucketCounts: number[] };
  negative: { offset: number; bucketCounts: number[] };
}

/** A span of consecutive buckets: `offset` from the end of the previous span (or absolute, first). */
export interface BucketSpan {
  offset: number;
  length: number;
}

/** The native-histogram fields of client_model's `Histogram`, in protobufjs' camelCase. */
export interface NativeHistogram {
  sampleCount: number;
  sampleSum?: number;
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  negativeSpan: BucketSpan[];
  negativeDelta: number[];
  positiveSpan: BucketSpan[];
  positiveDelta: number[];
}

/**
 * The native histogram of `value`, or `undefined` when its scale is below the lowest schema
 * Prometheus reads (only a `maxSize` below 4 gets there; the caller sends a classic histogram).
 */
export function nativeHistogram(value: ExponentialPointValue): NativeHistogram | undefined {
  if (value.scale < MIN_SCHEMA) return undefined;
  const schema = Math.min(value.scale, MAX_SCHEMA);
  const change = value.scale - schema;
  const positive = spansOf(value.positive.offset, value.positive.bucketCounts, change);
  const negative = spansOf(value.negative.offset, value.negative.bucketCounts, change);
  const histogram: NativeHistogram = {
    sampleCount: value.count,
    schema,
    // OpenTelemetry's zero bucket holds exact zeros only.
    zeroThreshold: 0,
    zeroCount: value.zeroCount,
    negativeSpan: negative.spans,
    negativeDelta: negative.deltas,
    positiveSpan: positive.spans,
    positiveDelta: positive.deltas,
  };
  if (value.sum !== undefined) histogram.sampleSum = value.sum;
  // Without a bucket Prometheus cannot tell a native histogram from a classic one; an empty
  // span says which it is (as client_golang does).
  if (positive.spans.length === 0 && negative.spans.length === 0) {
    histogram.positiveSpan = [{ offset: 0, length: 0 }];
  }
  return histogram;
}

/**
 * Spans and deltas of the non-empty buckets `offset..` of `counts` merged `2^change` to one, at
 * Prometheus' indexes. Gaps of one or two empty buckets stay inside a span (as client_golang
 * writes them: two zero deltas cost less than a new span).
 */
function spansOf(
  offset: number,
  counts: readonly number[],
  change: number,
): { spans: BucketSpan[]; deltas: number[] } {
  const spans: BucketSpan[] = [];
  const deltas: number[] = [];
  let previousCount = 0;
  let nextIndex = 0; // the Prometheus index after the last bucket written
  let span: BucketSpan | undefined;
  let index = 0;
  let count = 0;
  const flush = () => {
    if (count === 0) return;
    if (span !== undefined && index - nextIndex <= 2) {
      for (; nextIndex < index; nextIndex++) {
        deltas.push(-previousCount);
        previousCount = 0;
        span.length++;
      }
    } else {
      span = { offset: span === undefined ? index : index - nextIndex, length: 0 };
      spans.push(span);
    }
    deltas.push(count - previousCount);
    previousCount = count;
    span.length++;
    nextIndex = index + 1;
  };
  for (let i = 0; i < counts.length; i++) {
    const at = ((offset + i) >> change) + 1;
    if (at !== index) {
      flush();
      index = at;
      count = 0;
    }
    count += counts[i] as number;
  }
  flush();
  return { spans, deltas };
}
