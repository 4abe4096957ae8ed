import type { TextMapPropagator } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import type { ExemplarFilter, OtlpProtocol } from '../config/options.js';
import type { MvxMetricProducer } from '../producer/mvx-metric-producer.js';
import type { PipelineRequestHandler } from '../prometheus/request-handler.js';

/** What each signal is exported with, e.g. `{ metrics: ['prometheus', 'otlp'], traces: ['otlp'] }`. */
export interface PipelineExporters {
  /** Metric exporters in use (`OTEL_METRICS_EXPORTER`, the `prometheus` and `otlp` options). */
  readonly metrics: readonly ('prometheus' | 'otlp' | 'console')[];
  /** Span exporters in use (`OTEL_TRACES_EXPORTER`, the `otlp` option). */
  readonly traces: readonly ('otlp' | 'console')[];
  /** Protocol of each OTLP signal that is on. */
  readonly protocols: { readonly metrics?: OtlpProtocol; readonly traces?: OtlpProtocol };
}

/** What {@link createOtelPipeline} resolves to. */
export interface OtelPipeline {
  /** Its readers (Prometheus, OTLP, console) include {@link OtelPipeline.metricProducer}. */
  readonly meterProvider: MeterProvider;
  /** Spans go to the configured trace exporters; sampled per `OTEL_TRACES_SAMPLER`. */
  readonly tracerProvider: TracerProvider;
  /** The producer the readers include; `attachOtelBridge(runtime, { meterProvider })` feeds it. */
  readonly metricProducer: MvxMetricProducer;
  /** The propagator in use (also the global one with `registerGlobals`). */
  readonly propagator: TextMapPropagator;
  /** The resource both providers report. */
  readonly resource: Resource;
  /** Read for the exemplar reservoirs. */
  readonly exemplarFilter: ExemplarFilter;
  /** Whether anything is pushed over OTLP. */
  readonly otlpEnabled: boolean;
  /** The exporters in use per signal. */
  readonly exporters: PipelineExporters;
  /** `true` when `OTEL_SDK_DISABLED` (or `disabled`) turned everything off. */
  readonly disabled: boolean;
  /** E.g. `http://localhost:9464/metrics`; absent without a server of the pipeline's own. */
  readonly prometheusUrl?: string;
  /**
   * A node:http `(request, response)` handler serving what the pipeline's server serves:
   * `GET /metrics` (the `prometheus.endpoint`; absent with `prometheus: false`), `GET /healthz`
   * (liveness: 200 unless a bridged runtime is `'failed'`) and `GET /readyz` (readiness: 200 once
   * every bridged runtime is `'running'` and metric export has not failed its last N attempts),
   * 503 with a JSON body naming the reasons; 404 elsewhere, or `next()` when a framework passes one.
   *
   * @example
   * const pipeline = await createOtelPipeline({ prometheus: { listen: false } });
   * http.createServer(pipeline.requestHandler).listen(8080);
   */
  readonly requestHandler: PipelineRequestHandler;
  /**
   * Final collection and export, then everything stops; resolves within `shutdownTimeoutMs`,
   * after the final export's outcome was reported. Idempotent.
   */
  shutdown(): Promise<void>;
}
