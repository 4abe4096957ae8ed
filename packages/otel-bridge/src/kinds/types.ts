import type { MetricDescriptor, MetricKind } from '@mvx-metrics/core';
import type { KindDefinition, KindPoints } from '@mvx-metrics/core/kinds';
import type { Context, Meter, Observable, Attributes as OtelAttributes } from '@opentelemetry/api';
import type { DataPoint, DataPointType, MetricData } from '@opentelemetry/sdk-metrics';
import type { ExemplarReservoir } from '../exemplars/reservoir.js';
import type { ExemplarCarrier } from '../exemplars/types.js';
import type { PrometheusNameRules } from '../exposition/prometheus-units.js';
import type { MetricValueMessage } from '../exposition/protobuf-messages.js';

/** A histogram point in the shape of sdk-metrics' `Histogram` data (min/max absent while empty). */
export interface MirroredHistogram {
  buckets: { boundaries: number[]; counts: number[] };
  count: number;
  sum: number;
  min?: number;
  max?: number;
}

/**
 * An exponential histogram point in the shape of sdk-metrics' `ExponentialHistogram` data (min/max
 * absent while empty). Values the bridge builds also carry, out of sight, the limits of the core
 * metric they mirror (core's `exponentialLimitsOf`), which merging them needs.
 */
export interface MirroredExponentialHistogram {
  count: number;
  sum?: number;
  min?: number;
  max?: number;
  scale: number;
  zeroCount: number;
  positive: { offset: number; bucketCounts: number[] };
  negative: { offset: number; bucketCounts: number[] };
}

/** The value of one exported point: a number (sums, gauges) or a histogram. */
export type MirroredValue = number | MirroredHistogram | MirroredExponentialHistogram;

/** Name, unit and description of one exported metric. */
export interface ExportedDescriptor {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
}

/** Options the instruments path creates an instrument with. */
export interface InstrumentOptions {
  readonly unit: string;
  readonly description: string;
  /** Histograms: the core boundaries, given to OpenTelemetry as advice. */
  readonly boundaries?: readonly number[] | undefined;
}

/** A sync instrument recorded from the post-change hook, one call per accepted change. */
export interface RecordedInstrument {
  record(value: number, attributes: OtelAttributes, context: Context | undefined): void;
}

/**
 * How a kind goes through the instruments path (a `MeterProvider` the bridge does not read):
 * `observed` kinds are observable instruments read from the mirror in one batch callback;
 * `recorded` kinds are sync instruments fed from the hook with the event's captured context.
 */
export type KindInstrument =
  | {
      readonly mode: 'observed';
      create(meter: Meter, name: string, options: InstrumentOptions): Observable;
    }
  | {
      readonly mode: 'recorded';
      create(meter: Meter, name: string, options: InstrumentOptions): RecordedInstrument;
    };

/** How a kind prints in OpenMetrics 1.0: its TYPE, its family name, and the samples of one point. */
export interface OpenMetricsWriter {
  /** The `# TYPE` word. */
  readonly type: string;
  /** The family name of a metric printed as `name` (a counter's drops `_total`). */
  family(name: string): string;
  /** The sample lines of one point; `labels` is its label list without braces (possibly empty). */
  samples(
    family: string,
    labels: string,
    point: DataPoint<MirroredValue> & ExemplarCarrier,
  ): string;
}

/**
 * How a kind goes into Prometheus' protobuf exposition: its client_model `MetricType`, its family
 * name and the value part of one point's `Metric` message.
 */
export interface ProtobufWriter {
  /** client_model's `MetricType` number (`METRIC_TYPE`). */
  readonly type: number;
  /** The family name of a metric printed as `name` in the text format (a counter's ends in `_total`). */
  family(name: string): string;
  /** The `counter`, `gauge` or `histogram` field of one point's `Metric`. */
  value(point: DataPoint<MirroredValue> & ExemplarCarrier): MetricValueMessage;
}

/**
 * One OpenTelemetry data shape (monotonic Sum, non-monotonic Sum, Gauge, Histogram): what is
 * decided by the shape of exported data alone, whichever core kind, or other producer, made it.
 * `adapterForData` finds it by the data's shape; a core kind's adapter names the shape it exports
 * as, and two kinds may share one (a max-gauge exported as a Gauge).
 */
export interface ExportShape<V extends MirroredValue = MirroredValue> {
  /** The shape as OpenTelemetry names it, for messages and tests. */
  readonly name: string;
  /** The OpenTelemetry data point type. */
  readonly dataPointType: DataPointType;
  /** An empty `MetricData` of this shape (cumulative, no points yet). */
  metricData(descriptor: ExportedDescriptor): MetricData;
  /**
   * Two values of one series of any producer's data as one (neither input changes), when
   * relabelling for Prometheus makes two series one; `undefined` when they cannot merge.
   */
  merge(into: V, added: V): V | undefined;
  /** OpenTelemetry's Prometheus naming rules for this shape (`_total`; unit `1` as `_ratio`). */
  readonly prometheusNaming: PrometheusNameRules;
  /** The sample names a metric of this shape prints, from its Prometheus name (`prometheusMetricName`). */
  prometheusSampleNames(base: string): string[];
  /** Its OpenMetrics samples, exemplars included where OpenMetrics allows them. */
  readonly openMetrics: OpenMetricsWriter;
  /**
   * The data OpenTelemetry's Prometheus text serializer prints for data of this shape, when it
   * cannot print the shape itself (it knows sums, gauges and histograms); absent: the data as is.
   */
  readonly prometheusText?: (data: MetricData) => MetricData;
  /** Its Prometheus protobuf exposition (native histograms for exponential ones). */
  readonly protobuf: ProtobufWriter;
}

/**
 * How one core kind goes out through OpenTelemetry, in one place (like sdk-metrics'
 * `Aggregator<T>`, one file per kind), keyed by the core kind. What the kind *is* (its point, how
 * an observation applies, how points merge) is core's {@link KindDefinition}, which the adapter
 * carries and never re-implements; the adapter chooses the export shape (`shape`) and adds what
 * only the bridge knows: conversion, the instrument, exemplars. `V` is the exported point value.
 * Adding a kind is one new file implementing this, listed in `index.ts`.
 */
export interface KindAdapter<
  V extends MirroredValue = MirroredValue,
  K extends MetricKind = MetricKind,
> {
  /** The core kind (`MetricDescriptor.kind`) this adapter exports. */
  readonly kind: K;
  /** Core's definition of the kind: the mirror applies changes with its `apply`. */
  readonly definition: KindDefinition<K, KindPoints[K]>;
  /** The OpenTelemetry shape the kind is exported as. */
  readonly shape: ExportShape<V>;

  // --- conversion: core snapshot points -> OpenTelemetry data -----------------------------------
  /** Converts one snapshot point's value; `undefined` for a malformed point (a hand-written metric's). */
  fromSnapshot(point: unknown): V | undefined;
  /** The shape's: an empty `MetricData` (cumulative, no points yet). */
  metricData(descriptor: ExportedDescriptor): MetricData;
  /** Whether `data` (any producer's) has this adapter's export shape. */
  matches(data: MetricData): boolean;
  /** The shape's OpenTelemetry data point type. */
  readonly dataPointType: DataPointType;

  // --- incremental mirror: core's point state between exported values ---------------------------
  /**
   * Core's point state seeded from an exported value, for `definition.apply` to bring up to date
   * with the hook's changes; `undefined` when changes cannot be applied (the mirror then re-reads
   * the metric's snapshot). Must not alias `value`.
   */
  begin(value: V): KindPoints[K] | undefined;
  /** The exported value of a point state (a fresh value: exported values are never mutated). */
  end(running: KindPoints[K]): V;

  // --- merging series that share an attribute set -----------------------------------------------
  /**
   * Two values of one attribute set (two recorders' series of the metric) as one, by the kind's
   * core rule (neither input changes); `undefined` when they cannot merge.
   */
  merge(into: V, added: V): V | undefined;

  // --- instruments path ---------------------------------------------------------------------------
  readonly instrument: KindInstrument;

  // --- Prometheus and OpenMetrics: the shape's, here for callers that hold an adapter ---------------
  readonly prometheusNaming: PrometheusNameRules;
  prometheusSampleNames(base: string): string[];
  readonly openMetrics: OpenMetricsWriter;
  readonly prometheusText?: (data: MetricData) => MetricData;
  /** Its Prometheus protobuf exposition (native histograms for exponential ones). */
  readonly protobuf: ProtobufWriter;

  // --- exemplars ------------------------------------------------------------------------------------
  /** A factory of the exemplar reservoir of one series, or `undefined`: the kind keeps none. */
  exemplarReservoir(descriptor: MetricDescriptor): (() => ExemplarReservoir) | undefined;
}
