import { counterKind } from '@mvx-metrics/core/kinds';
import { FixedSizeReservoir } from '../exemplars/reservoir.js';
import { exportedAs, monotonicSumShape } from './export-shapes.js';
import { numberMerge, numberRunning, numberValue } from './number-point.js';
import type { KindAdapter } from './types.js';

/** `counter`: a monotonic cumulative Sum; on the instruments path an observable counter. */
export const counterAdapter: KindAdapter<number, 'counter'> = {
  kind: 'counter',
  definition: counterKind,
  ...exportedAs(monotonicSumShape),
  fromSnapshot: numberValue,
  ...numberRunning,
  merge: numberMerge(counterKind),
  instrument: {
    mode: 'observed',
    create: (meter, name, { unit, description }) =>
      meter.createObservableCounter(name, { unit, description }),
  },
  // OpenTelemetry's simple fixed-size reservoir; OpenMetrics prints the latest of them.
  exemplarReservoir: () => () => new FixedSizeReservoir(COUNTER_RESERVOIR_SIZE),
};

/** Measurements a counter series keeps between collections. */
export const COUNTER_RESERVOIR_SIZE = 4;
