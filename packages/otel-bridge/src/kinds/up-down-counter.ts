import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import {
  addValues,
  gaugeOpenMetrics,
  mergeSums,
  noReservoir,
  numberRunning,
  numberValue,
  sumData,
} from './number-point.js';
import type { KindAdapter } from './types.js';

/** `upDownCounter`: a non-monotonic cumulative Sum; Prometheus prints it as a gauge. */
export const upDownCounterAdapter: KindAdapter<number, number> = {
  kind: 'upDownCounter',
  dataPointType: DataPointType.SUM,
  fromSnapshot: numberValue,
  metricData: (descriptor) => sumData(descriptor, false),
  matches: (data: MetricData) => data.dataPointType === DataPointType.SUM && !data.isMonotonic,
  ...numberRunning,
  apply: addValues,
  merge: mergeSums,
  instrument: {
    mode: 'observed',
    create: (meter, name, { unit, description }) =>
      meter.createObservableUpDownCounter(name, { unit, description }),
  },
  // Printed as a gauge, but a non-monotonic Sum: unit `1` adds nothing (the Collector's rule too).
  prometheusNaming: { total: false, ratio: false },
  prometheusSampleNames: (base) => [base],
  openMetrics: gaugeOpenMetrics,
  exemplarReservoir: noReservoir,
};
