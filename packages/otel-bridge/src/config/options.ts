import type { Attributes, TextMapPropagator } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import type { Sampler, SpanLimits } from '@opentelemetry/sdk-trace';

/** Where the Prometheus `/metrics` endpoint listens. */
export interface PrometheusOptions {
  /** Default `OTEL_EXPORTER_PROMETHEUS_HOST`, else every interface. Use `'127.0.0.1'` to stay local. */
  host?: string;
  /** Default `OTEL_EXPORTER_PROMETHEUS_PORT`, else 9464; `0` picks a free port (see `prometheusUrl`). */
  port?: number;
  /** Default `/metrics`. */
  endpoint?: string;
  /**
   * Metric names: `'opentelemetry'` (default) follows OpenTelemetry's Prometheus compatibility
   * rules (unit suffix such as `_seconds`, `_ratio`; `_total` on counters), as the Collector does;
   * `'unsuffixed'` keeps the names of earlier versions (no unit suffix; `_total` on counters).
   */
  naming?: 'opentelemetry' | 'unsuffixed';
  /**
   * `false`: run no server of the pipeline's own; `/metrics` (and the probes) are served only
   * where you mount {@link OtelPipeline.requestHandler}. Default `true`.
   */
  listen?: boolean;
}

/** The probes `/healthz` and `/readyz` (on the pipeline's server and its `requestHandler`). */
export interface PipelineHealthOptions {
  /**
   * `/readyz` answers 503 once a metric exporter (OTLP, console) has failed this many export
   * attempts in a row, and 200 again after its next success. Default 3.
   */
  exportFailuresUntilUnready?: number;
}

/** OTLP wire protocols, as `OTEL_EXPORTER_OTLP_PROTOCOL` names them. */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

/** `OTEL_METRICS_EXEMPLAR_FILTER` values. */
export type ExemplarFilter = 'always_on' | 'always_off' | 'trace_based';

/** OTLP export of metrics and traces; each field wins over its `OTEL_EXPORTER_OTLP_*` variable. */
export interface OtlpOptions {
  /** Default `OTEL_EXPORTER_OTLP_{METRICS,TRACES}_PROTOCOL`, then `OTEL_EXPORTER_OTLP_PROTOCOL`, then `http/protobuf`. */
  protocol?: OtlpProtocol;
  /** Base URL for both signals, like `OTEL_EXPORTER_OTLP_ENDPOINT` (HTTP appends `v1/metrics`, `v1/traces`). */
  endpoint?: string;
  /** Full metrics URL (turns OTLP metrics on). */
  metricsUrl?: string;
  /** Full traces URL (turns OTLP traces on). */
  tracesUrl?: string;
  /** Extra request headers (gRPC metadata), merged over `OTEL_EXPORTER_OTLP_HEADERS`. */
  headers?: Record<string, string>;
  /** Default `OTEL_EXPORTER_OTLP_COMPRESSION`, else none. */
  compression?: 'gzip' | 'none';
  /** Metric export interval; default `OTEL_METRIC_EXPORT_INTERVAL`, else 60 000 ms. */
  intervalMs?: number;
  /**
   * Timeout of one metric export, the reader's and the exporter's own; default
   * `OTEL_METRIC_EXPORT_TIMEOUT` (30 000 ms, at most the interval) for the reader, and for the
   * exporter `OTEL_EXPORTER_OTLP_METRICS_TIMEOUT` / `OTEL_EXPORTER_OTLP_TIMEOUT` (10 000 ms), never
   * longer than the reader's. An export with no answer by then is reported (`export-failed`).
   */
  timeoutMs?: number;
}

/** Options of {@link createOtelPipeline}; every option wins over its `OTEL_*` variable. */
export interface OtelPipelineOptions {
  /** Resource attribute `service.name`; optional when `OTEL_SERVICE_NAME` or the resource gives one. */
  serviceName?: string;
  /** Resource attribute `service.instance.id` (default: from the resource, else a random UUID per pipeline). */
  serviceInstanceId?: string;
  /** Resource (or attributes) merged over the detected one (`OTEL_RESOURCE_ATTRIBUTES`, process, host). */
  resource?: Resource | Attributes;
  /** Prometheus scrape endpoint; `false` for none. Default: on unless `OTEL_METRICS_EXPORTER` leaves it out. */
  prometheus?: PrometheusOptions | false;
  /**
   * OTLP export; `false` for none. Default: each signal on when its endpoint is configured
   * (`OTEL_EXPORTER_OTLP_ENDPOINT`, or the `_METRICS_`/`_TRACES_` variant) or `OTEL_*_EXPORTER`
   * names `otlp`. Malformed URLs given here reject; in the environment they are reported.
   */
  otlp?: OtlpOptions | false;
  /** Trace sampler; default from `OTEL_TRACES_SAMPLER` / `_ARG`, else parent-based always-on. */
  sampler?: Sampler;
  /**
   * Span limits of the pipeline's `TracerProvider` (its event spans and your own), as sdk-trace's
   * `SpanLimits`; each field wins over its variable (`OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT`, else
   * `OTEL_ATTRIBUTE_COUNT_LIMIT`; `OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT`, else
   * `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`; `OTEL_SPAN_EVENT_COUNT_LIMIT`, `OTEL_SPAN_LINK_COUNT_LIMIT`,
   * `OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT`, `OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT`), as in
   * NodeSDK. Default: the SDK's (128 of each, no value length limit).
   */
  spanLimits?: SpanLimits;
  /** Context propagator; default from `OTEL_PROPAGATORS`, else W3C trace context + baggage. */
  propagator?: TextMapPropagator;
  /**
   * sdk-metrics Views, as NodeSDK's `views`: given to the pipeline's `MeterProvider` (your own
   * instruments) and applied to the mirrored series as sdk-metrics applies them to its own
   * instruments (see `MetricProducerOptions.views` and docs/wiring-the-bridge.md for the fields
   * that cannot apply to pre-aggregated state). Wrong Views reject.
   */
  views?: ViewOptions[];
  /** Which events become exemplars; default `OTEL_METRICS_EXEMPLAR_FILTER`, else `trace_based`. */
  exemplarFilter?: ExemplarFilter;
  /** Build nothing that exports or serves; default `OTEL_SDK_DISABLED`. */
  disabled?: boolean;
  /**
   * Install the providers, the propagator and an AsyncLocalStorage context manager as the
   * `@opentelemetry/api` globals where none is installed yet; undone by `shutdown()`. Default `true`.
   */
  registerGlobals?: boolean;
  /**
   * Receives export problems of both signals, which OpenTelemetry otherwise only logs to `diag`,
   * as `OtelBridgeError`s: every metric export that fails (collector down, 4xx/5xx, no answer
   * within the export timeout, still open when shutdown's budget ran out) once, code
   * `export-failed` (the exporter's error as `cause`, the data points lost in the message); a
   * collector's partial success (`partialSuccess` with rejected data points or a warning), code
   * `export-partial`, with the count and the collector's message; span export failures, code
   * `export-failed`; and each invalid `OTEL_*` value once, code `invalid-option`. Data points
   * are counted by outcome in `mvx.export.data_points` (exported, rejected, failed). Default: one
   * `console.warn` per distinct problem (messages differing only in numbers are one problem).
   * Installed as OpenTelemetry's global error handler until `shutdown()`.
   */
  onError?: (error: Error) => void;
  /**
   * Upper bound of `shutdown()`, final export included (default 3 000 ms). An export still open
   * then is reported (`export-failed`) before `shutdown()` resolves and its connections are
   * closed: nothing of the pipeline keeps the process alive afterwards.
   */
  shutdownTimeoutMs?: number;
  /** How `/readyz` judges metric export. */
  health?: PipelineHealthOptions;
}
