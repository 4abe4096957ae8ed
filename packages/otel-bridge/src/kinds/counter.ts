import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { addValues, numberRunning, numberValue, sumData } from './number-point.js';
import type { KindAdapter } from './types.js';

/** `counter`: a monotonic cumulative Sum; Prometheus prints it with `_total`. */
export const counterAdapter: KindAdapter<number, number> = {
  kind: 'counter',
  dataPointType: DataPointType.SUM,
  fromSnapshot: numberValue,
  metricData: (descriptor) => sumData(descriptor, true),
  matches: (data: MetricData) => data.dataPointType === DataPointType.SUM && data.isMonotonic,
  ...numberRunning,
  apply: addValues,
  merge: addValues,
  instrument: {
    mode: 'observed',
    create: (meter, name, { unit, description }) =>
      meter.createObservableCounter(name, { unit, description }),
  },
  prometheusSampleNames: (base) => [base.endsWith('_total') ? base : `${base}_total`],
};
