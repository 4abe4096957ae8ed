import { upDownCounterKind } from '@mvx-metrics/core/kinds';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import {
  gaugeOpenMetrics,
  gaugeProtobuf,
  mergeSums,
  noReservoir,
  numberRunning,
  numberValue,
  sumData,
} from './number-point.js';
import type { KindAdapter } from './types.js';

/** `upDownCounter`: a non-monotonic cumulative Sum; Prometheus prints it as a gauge. */
export const upDownCounterAdapter: KindAdapter<number, 'upDownCounter'> = {
  kind: 'upDownCounter',
  definition: upDownCounterKind,
  dataPointType: DataPointType.SUM,
  fromSnapshot: numberValue,
  metricData: (descriptor) => sumData(descriptor, false),
  matches: (data: MetricData) => data.dataPointType === DataPointType.SUM && !data.isMonotonic,
  ...numberRunning,
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
  protobuf: gaugeProtobuf,
  exemplarReservoir: noReservoir,
};
