/**
 * `@mvx-metrics/otel-bridge/pipeline`: MeterProvider and TracerProvider with OpenTelemetry's own
 * exporters. Its own entry point, so attaching the bridge loads no exporter and no trace SDK.
 */

export type {
  ExemplarFilter,
  OtelPipelineOptions,
  OtlpOptions,
  OtlpProtocol,
  PipelineHealthOptions,
  PrometheusOptions,
} from '../config/options.js';
export type { HealthReport } from '../health/health.js';
export type { PipelineRequestHandler } from '../prometheus/request-handler.js';
export { createOtelPipeline } from './create-otel-pipeline.js';
export type { OtelPipeline, PipelineExporters } from './types.js';
