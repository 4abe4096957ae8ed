import { gaugeKind } from '@mvx-metrics/core/kinds';
import { exportedAs, gaugeShape } from './export-shapes.js';
import { noReservoir, numberMerge, numberRunning, numberValue } from './number-point.js';
import type { KindAdapter } from './types.js';

/** `gauge`: the last value set; of two series with one attribute set, the one added last wins. */
export const gaugeAdapter: KindAdapter<number, 'gauge'> = {
  kind: 'gauge',
  definition: gaugeKind,
  ...exportedAs(gaugeShape),
  fromSnapshot: numberValue,
  ...numberRunning,
  merge: numberMerge(gaugeKind),
  instrument: {
    mode: 'observed',
    create: (meter, name, { unit, description }) =>
      meter.createObservableGauge(name, { unit, description }),
  },
  exemplarReservoir: noReservoir,
};
