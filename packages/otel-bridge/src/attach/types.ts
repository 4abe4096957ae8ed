import type { ErrorHandler } from '@mvx-metrics/core';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { ExemplarFilterName } from '../exemplars/types.js';
import type { EpochClock } from '../internal/clock.js';
import type { MvxMetricProducer } from '../producer/mvx-metric-producer.js';

/** Options of {@link attachOtelBridge}. */
export interface OtelBridgeOptions {
  /**
   * Where metrics go. A provider from `createOtelPipeline` is fed through its producer (path 1);
   * any other provider gets instruments (path 2). Default: the global provider of `@opentelemetry/api`.
   */
  meterProvider?: MeterProvider;
  /** Feed this producer (path 1; your readers include it) instead of creating instruments. */
  metricProducer?: MvxMetricProducer;
  /** Tracer provider for event spans. Default: the global one. */
  tracerProvider?: TracerProvider;
  /** Each accepted event becomes a short child span of the span active at `registerEvent` (default `false`). */
  spans?: boolean;
  /** Attribute naming the recorder on every point (default `'recorder'`); `false` leaves it out. */
  recorderAttribute?: string | false;
  /** Export `mvx.recorder.events`, `mvx.recorder.pending`, `mvx.recorder.capacity` and `mvx.runtime.state` (default `true`). */
  selfTelemetry?: boolean;
  /**
   * Install the context capturer. Default: when it is used, i.e. with `spans: true`, with
   * exemplars (producer path, filter not `always_off`), or on the instruments path (histogram
   * records carry the context).
   */
  captureContext?: boolean;
  /**
   * Which measurements become exemplars (producer path: served in OpenMetrics on the pipeline's
   * `/metrics`): `'trace_based'` (registered inside a sampled span), `'always_on'`, `'always_off'`.
   * Default: `OTEL_METRICS_EXEMPLAR_FILTER`, else `'trace_based'`.
   */
  exemplarFilter?: ExemplarFilterName;
  /** Namespace when attaching to a bare recorder (a runtime has its own); default `'mvx'`. */
  namespace?: string;
  /** Receives problems found while mirroring (default: one `console.warn` line per kind). */
  onError?: ErrorHandler;
  /** Epoch milliseconds, for span and data point timestamps. */
  clock?: EpochClock;
}

/** What {@link attachOtelBridge} returns. */
export interface OtelBridge {
  /** `'producer'`: a `MetricProducer` reads the mirror; `'instruments'`: OTel instruments on a `MeterProvider`. */
  readonly mode: 'producer' | 'instruments';
  /** The producer this bridge feeds (producer mode), for readers you build yourself. */
  readonly metricProducer: MvxMetricProducer | undefined;
  /** Stops mirroring and removes everything the bridge added (hooks, capturer, callbacks). Idempotent. */
  detach(): void;
}
