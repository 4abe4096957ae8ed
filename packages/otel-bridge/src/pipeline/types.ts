import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import type { MvxMetricProducer } from '../producer/mvx-metric-producer.js';

/** Where the Prometheus `/metrics` endpoint listens. */
export interface PrometheusOptions {
  /** Default: the exporter's usual host, i.e. every interface. Use `'127.0.0.1'` to stay local. */
  host?: string;
  /** Default 9464 (the exporter's); `0` picks a free port (see `prometheusUrl`). */
  port?: number;
  /** Default `/metrics`. */
  endpoint?: string;
  /**
   * Metric names: `'opentelemetry'` (default) follows OpenTelemetry's Prometheus compatibility
   * rules (unit suffix such as `_seconds`, `_ratio`; `_total` on counters), as the Collector does;
   * `'unsuffixed'` keeps the names of earlier versions (no unit suffix; `_total` on counters).
   */
  naming?: 'opentelemetry' | 'unsuffixed';
}

/** OTLP/HTTP (JSON) export of metrics and traces. */
export interface OtlpOptions {
  /** Default: the exporter's (`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, else `http://localhost:4318/v1/metrics`). */
  metricsUrl?: string;
  /** Default: the exporter's (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `http://localhost:4318/v1/traces`). */
  tracesUrl?: string;
  /** Metric export interval (default 10 000 ms). */
  intervalMs?: number;
  /** Timeout of one export (default 5 000 ms, at most `intervalMs`). */
  timeoutMs?: number;
}

/** Options of {@link createOtelPipeline}. */
export interface OtelPipelineOptions {
  /** Resource attribute `service.name`. */
  serviceName: string;
  /** Resource attribute `service.instance.id` (default: a random UUID per process). */
  serviceInstanceId?: string;
  /** Prometheus scrape endpoint; `false` for none. Default `{ port: 9464 }`. */
  prometheus?: PrometheusOptions | false;
  /**
   * OTLP/HTTP export; `false` for none. Default: on only when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the
   * `_METRICS_`/`_TRACES_` variant) is set, with the exporters' URLs from those variables.
   * Malformed URLs reject with a clear message.
   */
  otlp?: OtlpOptions | false;
  /**
   * Install the providers (and an AsyncLocalStorage context manager) as the `@opentelemetry/api`
   * globals where none is installed yet; undone by `shutdown()`. Default `true`.
   */
  registerGlobals?: boolean;
  /**
   * Receives export failures (collector down, 5xx, timeouts), which OpenTelemetry otherwise only
   * logs to `diag`. Default: one `console.warn` per distinct problem. Installed as OpenTelemetry's
   * global error handler until `shutdown()`. Each failure arrives as an `OtelBridgeError` with
   * code `export-failed` (the exporter's error as `cause`).
   */
  onError?: (error: Error) => void;
  /** Upper bound of `shutdown()`, final export included (default 3 000 ms). */
  shutdownTimeoutMs?: number;
}

/** What {@link createOtelPipeline} resolves to. */
export interface OtelPipeline {
  /** Its readers (Prometheus, OTLP) include {@link OtelPipeline.metricProducer}. */
  readonly meterProvider: MeterProvider;
  /** Parent-based sampling; spans go to OTLP when enabled. */
  readonly tracerProvider: TracerProvider;
  /** The producer the readers include; `attachOtelBridge(runtime, { meterProvider })` feeds it. */
  readonly metricProducer: MvxMetricProducer;
  /** Whether metrics and spans are pushed over OTLP/HTTP (see {@link OtelPipelineOptions.otlp}). */
  readonly otlpEnabled: boolean;
  /** E.g. `http://localhost:9464/metrics`; absent with `prometheus: false`. */

  readonly prometheusUrl?: string;
  /** Final collection and export, then everything stops; resolves within `shutdownTimeoutMs`. Idempotent. */
  shutdown(): Promise<void>;
}
