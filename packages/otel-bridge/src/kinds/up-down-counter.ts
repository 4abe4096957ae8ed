import { upDownCounterKind } from '@mvx-metrics/core/kinds';
import { exportedAs, sumShape } from './export-shapes.js';
import { noReservoir, numberMerge, numberRunning, numberValue } from './number-point.js';
import type { KindAdapter } from './types.js';

/** `upDownCounter`: a non-monotonic cumulative Sum; on the instruments path an observable up-down counter. */
export const upDownCounterAdapter: KindAdapter<number, 'upDownCounter'> = {
  kind: 'upDownCounter',
  definition: upDownCounterKind,
  ...exportedAs(sumShape),
  fromSnapshot: numberValue,
  ...numberRunning,
  merge: numberMerge(upDownCounterKind),
  instrument: {
    mode: 'observed',
    create: (meter, name, { unit, description }) =>
      meter.createObservableUpDownCounter(name, { unit, description }),
  },
  exemplarReservoir: noReservoir,
};
