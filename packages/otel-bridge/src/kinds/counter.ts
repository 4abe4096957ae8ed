import { counterKind } from '@mvx-metrics/core/kinds';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { FixedSizeReservoir } from '../exemplars/reservoir.js';
import { latestOf } from '../exemplars/types.js';
import { braces, latestExemplarText, sampleValue } from '../exposition/openmetrics-text.js';
import { exemplarMessage, METRIC_TYPE } from '../exposition/protobuf-messages.js';
import { mergeSums, numberRunning, numberValue, sumData } from './number-point.js';
import type { KindAdapter } from './types.js';

/** `counter`: a monotonic cumulative Sum; Prometheus prints it with `_total`. */
export const counterAdapter: KindAdapter<number, 'counter'> = {
  kind: 'counter',
  definition: counterKind,
  dataPointType: DataPointType.SUM,
  fromSnapshot: numberValue,
  metricData: (descriptor) => sumData(descriptor, true),
  matches: (data: MetricData) => data.dataPointType === DataPointType.SUM && data.isMonotonic,
  ...numberRunning,
  merge: mergeSums,
  instrument: {
    mode: 'observed',
    create: (meter, name, { unit, description }) =>
      meter.createObservableCounter(name, { unit, description }),
  },
  prometheusNaming: { total: true, ratio: false },
  prometheusSampleNames: (base) => [base.endsWith('_total') ? base : `${base}_total`],
  openMetrics: {
    type: 'counter',
    family: (name) => name.replace(/_total$/, ''),
    // One exemplar per sample: the latest the reservoir kept.
    samples: (family, labels, point) =>
      `${family}_total${braces(labels)} ${sampleValue(point.value as number)}${latestExemplarText(point.exemplars)}\n`,
  },
  protobuf: {
    type: METRIC_TYPE.COUNTER,
    family: (name) => (name.endsWith('_total') ? name : `${name}_total`),
    // One exemplar per counter, as in OpenMetrics: the latest.
    value: (point) => {
      const exemplar = exemplarMessage(latestOf(point.exemplars));
      const value = point.value as number;
      return { counter: exemplar === undefined ? { value } : { value, exemplar } };
    },
  },
  // OpenTelemetry's simple fixed-size reservoir; OpenMetrics prints the latest of them.
  exemplarReservoir: () => () => new FixedSizeReservoir(COUNTER_RESERVOIR_SIZE),
};

/** Measurements a counter series keeps between collections. */
export const COUNTER_RESERVOIR_SIZE = 4;
