import type { MetricDescriptor } from '@mvx-metrics/core';
import type { DataPoint } from '@opentelemetry/sdk-metrics';
import { BucketReservoir } from '../exemplars/reservoir.js';
import type { ExemplarCarrier } from '../exemplars/types.js';
import { braces, exemplarText, joinLabels, sampleValue } from '../exposition/openmetrics-text.js';
import type { MirroredHistogram, OpenMetricsWriter } from './types.js';

/**
 * A histogram in OpenMetrics: cumulative `_bucket` samples up to `+Inf`, each with the exemplar of
 * its bucket when it lies inside it, then `_count` and `_sum` (left out, as OpenMetrics requires,
 * when a bucket bound is negative). `le` values are written as the text format writes them, so
 * both formats give Prometheus the same series.
 */
export const histogramOpenMetrics: OpenMetricsWriter = {
  type: 'histogram',
  family: (name) => name,
  samples: (family, labels, point) => {
    const value = (point as DataPoint<MirroredHistogram>).value;
    const { boundaries, counts } = value.buckets;
    const exemplars = (point as ExemplarCarrier).exemplars;
    let out = '';
    let cumulative = 0;
    let lower = Number.NEGATIVE_INFINITY;
    let infinite = false;
    for (let i = 0; i < counts.length; i++) {
      cumulative += counts[i] ?? 0;
      const upper = boundaries[i] ?? Number.POSITIVE_INFINITY;
      const le = upper === Number.POSITIVE_INFINITY ? '+Inf' : String(upper);
      const exemplar = exemplars?.[i];
      const inside = exemplar !== undefined && exemplar.value > lower && exemplar.value <= upper;
      out += `${family}_bucket${braces(joinLabels(labels, `le="${le}"`))} ${cumulative}${exemplarText(inside ? exemplar : undefined)}\n`;
      if (upper === Number.POSITIVE_INFINITY) {
        infinite = true;
        break;
      }
      lower = upper;
    }
    if (!infinite)
      out += `${family}_bucket${braces(joinLabels(labels, 'le="+Inf"'))} ${value.count}\n`;
    if (boundaries.length === 0 || (boundaries[0] as number) >= 0) {
      out += `${family}_count${braces(labels)} ${value.count}\n`;
      out += `${family}_sum${braces(labels)} ${sampleValue(value.sum)}\n`;
    }
    return out;
  },
};

/** OpenTelemetry's aligned-histogram-bucket reservoir, on the metric's own boundaries. */
export function histogramReservoir(
  descriptor: MetricDescriptor,
): (() => BucketReservoir) | undefined {
  const boundaries = descriptor.boundaries;
  if (boundaries === undefined) return undefined;
  const copy = [...boundaries];
  return () => new BucketReservoir(copy);
}
