import type { Attributes, MetricKind, NumberPoint } from '@mvx-metrics/core';
import type { KindDefinition } from '@mvx-metrics/core/kinds';
import { ValueType } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { braces, sampleValue } from '../exposition/openmetrics-text.js';
import { METRIC_TYPE } from '../exposition/protobuf-messages.js';
import type { ExportedDescriptor, OpenMetricsWriter, ProtobufWriter } from './types.js';

/** The value of a `{ attributes, value }` snapshot point, when it is a finite number. */
export function numberValue(point: unknown): number | undefined {
  const value = (point as { value?: unknown } | null)?.value;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** An empty cumulative Sum. */
export function sumData(descriptor: ExportedDescriptor, isMonotonic: boolean): MetricData {
  return {
    descriptor: { ...descriptor, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic,
    dataPoints: [],
  };
}

// The point state the bridge hands core needs no attributes: the exported point keeps its own.
const NO_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;

/** A number value as core's point state, and back. */
export const numberRunning = {
  begin: (value: number): NumberPoint => ({ attributes: NO_ATTRIBUTES, value }),
  end: (running: NumberPoint): number => running.value,
};

/**
 * Two number values of one attribute set as one, by the kind's own core rule (sums add up,
 * refusing a total that leaves the finite range; a gauge keeps the value added last).
 */
export function numberMerge(
  definition: KindDefinition<MetricKind, NumberPoint>,
): (into: number, added: number) => number | undefined {
  return (into, added) =>
    definition.merge(
      { attributes: NO_ATTRIBUTES, value: into },
      { attributes: NO_ATTRIBUTES, value: added },
    )?.value;
}

/** OpenMetrics of a kind printed as a gauge: one sample per point, no exemplars (OpenMetrics allows none). */
export const gaugeOpenMetrics: OpenMetricsWriter = {
  type: 'gauge',
  family: (name) => name,
  samples: (family, labels, point) =>
    `${family}${braces(labels)} ${sampleValue(point.value as number)}\n`,
};

/** No exemplars: gauges and up-down counters. */
export const noReservoir = (): undefined => undefined;

/** The protobuf exposition of a kind printed as a gauge (up-down counters too, as in the text). */
export const gaugeProtobuf: ProtobufWriter = {
  type: METRIC_TYPE.GAUGE,
  family: (name) => name,
  value: (point) => ({ gauge: { value: point.value as number } }),
};
