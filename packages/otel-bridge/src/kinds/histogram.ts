import { histogramKind } from '@mvx-metrics/core/kinds';
import { exportedAs, histogramShape } from './export-shapes.js';
import { histogramReservoir } from './histogram-openmetrics.js';
import {
  exportedHistogram,
  histogramState,
  histogramValue,
  mergeHistograms,
} from './histogram-point.js';
import type { KindAdapter, MirroredHistogram } from './types.js';

/** `histogram`: explicit-bucket Histogram data; on the instruments path a sync `Histogram`. */
export const histogramAdapter: KindAdapter<MirroredHistogram, 'histogram'> = {
  kind: 'histogram',
  definition: histogramKind,
  ...exportedAs(histogramShape),
  fromSnapshot: histogramValue,
  begin: histogramState,
  end: exportedHistogram,
  merge: mergeHistograms,
  instrument: {
    mode: 'recorded',
    create: (meter, name, { unit, description, boundaries }) =>
      meter.createHistogram(name, {
        unit,
        description,
        ...(boundaries === undefined
          ? {}
          : { advice: { explicitBucketBoundaries: [...boundaries] } }),
      }),
  },
  exemplarReservoir: histogramReservoir,
};
