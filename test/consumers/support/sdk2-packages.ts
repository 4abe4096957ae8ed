/** The OpenTelemetry 2.x packages a consumer of the bridge and its pipeline installs (sdk-node 0.223's pins). */
export const OTEL_SDK2_PACKAGES = {
  '@opentelemetry/api': '1.9.1',
  '@opentelemetry/sdk-metrics': '2.12.0',
  '@opentelemetry/sdk-trace': '2.12.0',
  '@opentelemetry/context-async-hooks': '2.12.0',
  '@opentelemetry/exporter-prometheus': '0.223.0',
  '@opentelemetry/exporter-metrics-otlp-http': '0.223.0',
  '@opentelemetry/exporter-trace-otlp-http': '0.223.0',
} as const;
