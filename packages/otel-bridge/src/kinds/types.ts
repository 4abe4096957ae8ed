import type { MetricDescriptor, MetricKind } from '@mvx-metrics/core';
import type { KindDefinition, KindPoints } from '@mvx-metrics/core/kinds';
import type { Context, Meter, Observable, Attributes as OtelAttributes } from '@opentelemetry/api';
import type { DataPoint, DataPointType, MetricData } from '@opentelemetry/sdk-metrics';
import type { ExemplarReservoir } from '../exemplars/reservoir.js';
import type { ExemplarCarrier } from '../exemplars/types.js';
import type { PrometheusNameRules } from '../exposition/prometheus-units.js';

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
 * How one core kind goes out through OpenTelemetry, in one place (like sdk-metrics'
 * `Aggregator<T>`, one file per kind). What the kind *is* (its point, how an observation applies)
 * is core's {@link KindDefinition}, which the adapter carries; the adapter adds the export shape.
 * `V` is the exported point value. Adding a kind is one new file implementing this, listed in
 * `index.ts`.
 */
export interface KindAdapter<
  V extends MirroredValue = MirroredValue,
  K extends MetricKind = MetricKind,
> {
  /** The core kind (`MetricDescriptor.kind`) this adapter exports. */
  readonly kind: K;
  /** Core's definition of the kind: the mirror applies changes with its `apply`. */
  readonly definition: KindDefinition<K, KindPoints[K]>;

  // --- conversion: core snapshot points -> OpenTelemetry data -----------------------------------
  /** Converts one snapshot point's value; `undefined` for a malformed point (a hand-written metric's). */
  fromSnapshot(point: unknown): V | undefined;
  /** An empty `MetricData` of this kind (cumulative, no points yet). */
  metricData(descriptor: ExportedDescriptor): MetricData;
  /** Whether `data` (any producer's) is metric data of this kind. */
  matches(data: MetricData): boolean;
  /** The OpenTelemetry data point type. */
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
  /** Two values of one attribute set as one (neither input changes); `undefined` when they cannot merge. */
  merge(into: V, added: V): V | undefined;

  // --- instruments path ---------------------------------------------------------------------------
  readonly instrument: KindInstrument;

  // --- Prometheus and OpenMetrics ------------------------------------------------------------------
  /** OpenTelemetry's Prometheus naming rules for this kind (`_total`; unit `1` as `_ratio`). */
  readonly prometheusNaming: PrometheusNameRules;
  /** The sample names a metric of this kind prints, from its Prometheus name (`prometheusMetricName`). */
  prometheusSampleNames(base: string): string[];
  /** Its OpenMetrics samples, exemplars included where OpenMetrics allows them. */
  readonly openMetrics: OpenMetricsWriter;
  /**
   * The data OpenTelemetry's Prometheus text serializer prints for a metric of this kind, when it
   * cannot print the kind itself (it knows sums, gauges and histograms); absent: the data as is.
   */
  readonly prometheusText?: (data: MetricData) => MetricData;

  // --- exemplars ------------------------------------------------------------------------------------
  /** A factory of the exemplar reservoir of one series, or `undefined`: the kind keeps none. */
  exemplarReservoir(descriptor: MetricDescriptor): (() => ExemplarReservoir) | undefined;
}
