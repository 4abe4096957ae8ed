import { gaugeKind } from '@mvx-metrics/core/kinds';
import { ValueType } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import {
  gaugeOpenMetrics,
  gaugeProtobuf,
  noReservoir,
  numberRunning,
  numberValue,
} from './number-point.js';
import type { KindAdapter } from './types.js';

const last = (_into: number, added: number): number => added;

/** `gauge`: the last value set; of two series with one attribute set, the one added last wins. */
export const gaugeAdapter: KindAdapter<number, 'gauge'> = {
  kind: 'gauge',
  definition: gaugeKind,
  dataPointType: DataPointType.GAUGE,
  fromSnapshot: numberValue,
  metricData: (descriptor) => ({
    descriptor: { ...descriptor, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: [],
  }),
  matches: (data: MetricData) => data.dataPointType === DataPointType.GAUGE,
  ...numberRunning,
  merge: last,
  instrument: {
    mode: 'observed',
    create: (meter, name, { unit, description }) =>
      meter.createObservableGauge(name, { unit, description }),
  },
  // A Gauge with unit `1` is a ratio (`_ratio`), as the Collector writes it.
  prometheusNaming: { total: false, ratio: true },
  prometheusSampleNames: (base) => [base],
  openMetrics: gaugeOpenMetrics,
  protobuf: gaugeProtobuf,
  exemplarReservoir: noReservoir,
};
