/**
 * `@mvx-metrics/otel-bridge/pipeline`: MeterProvider and TracerProvider with OpenTelemetry's own
 * exporters. Its own entry point, so attaching the bridge loads no exporter and no trace SDK.
 */
export { createOtelPipeline } from './create-otel-pipeline.js';
export type {
  ExemplarFilter,
  OtelPipeline,
  OtelPipelineOptions,
  OtlpOptions,
  OtlpProtocol,
  PipelineExporters,
  PrometheusOptions,
} from './types.js';
