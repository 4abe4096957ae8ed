import type { MetricDescriptor } from '@mvx-metrics/core';
import { DEFAULT_MAX_SIZE, exponentialHistogramKind } from '@mvx-metrics/core/kinds';
import { diag } from '@opentelemetry/api';
import { FixedSizeReservoir } from '../exemplars/reservoir.js';
import {
  asPoint,
  exponentialValue,
  exportedValue,
  mergeExponentialHistograms,
} from './exponential-histogram-point.js';
import { exponentialHistogramShape, exportedAs } from './export-shapes.js';
import type { KindAdapter, MirroredExponentialHistogram } from './types.js';

/**
 * `exponentialHistogram`: OpenTelemetry ExponentialHistogram data, point for point core's state
 * (scale, zero count, offsets and bucket counts). On the instruments path a sync `Histogram`: the
 * user's MeterProvider decides its aggregation (a View selecting exponential aggregation makes it
 * an ExponentialHistogram; see docs/wiring-the-bridge.md).
 */
export const exponentialHistogramAdapter: KindAdapter<
  MirroredExponentialHistogram,
  'exponentialHistogram'
> = {
  kind: 'exponentialHistogram',
  definition: exponentialHistogramKind,
  ...exportedAs(exponentialHistogramShape),
  fromSnapshot: exponentialValue,
  begin: asPoint,
  end: exportedValue,
  merge: mergeExponentialHistograms,
  instrument: {
    mode: 'recorded',
    create: (meter, name, { unit, description }) => {
      const histogram = meter.createHistogram(name, { unit, description });
      let warned = false;
      return {
        record: (value, attributes, context) => {
          if (value < 0) {
            // OpenTelemetry's Histogram instrument takes no negative value (it would warn on each).
            if (!warned) {
              warned = true;
              diag.warn(
                `otel-bridge: exponential histogram "${name}" recorded a negative value; OpenTelemetry's Histogram instrument refuses negative values, so on the instruments path they are not exported (the MetricProducer path exports them).`,
              );
            }
            return;
          }
          histogram.record(value, attributes, context);
        },
      };
    },
  },
  // OpenTelemetry's default for exponential histograms: a simple fixed-size reservoir of
  // min(20, maxSize) measurements.
  exemplarReservoir: (descriptor: MetricDescriptor) => {
    const size = Math.min(20, descriptor.maxSize ?? DEFAULT_MAX_SIZE);
    return () => new FixedSizeReservoir(size);
  },
};
