import { MetricsWiringError } from '@mvx-metrics/core';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtlpOptions } from '../config/options.js';
import type { OtlpSignal } from '../config/settings.js';
import { optionalImport } from '../internal/optional-import.js';
import type { ExporterAgents } from './exporter-agents.js';

// Each protocol is OpenTelemetry's own exporter package, imported only when chosen: a service
// that never picks gRPC never loads @grpc/grpc-js. The exporters read the rest of their
// `OTEL_EXPORTER_OTLP_*` environment (endpoint, headers, compression, timeout, certificates)
// themselves; only explicit options are passed, and the HTTP exporters get agents the pipeline can
// close (exporter-agents.ts).

/** The OTLP metric exporter for `signal.protocol`. */
export async function createOtlpMetricExporter(
  signal: OtlpSignal,
  otlp: OtlpOptions,
  timeoutMs: number | undefined,
  agents: ExporterAgents,
): Promise<PushMetricExporter> {
  switch (signal.protocol) {
    case 'grpc': {
      const { OTLPMetricExporter } = await optionalImport(
        () => import('@opentelemetry/exporter-metrics-otlp-grpc'),
        '@opentelemetry/exporter-metrics-otlp-grpc',
        `OTLP ${signal.protocol}`,
      );
      const config = await grpcConfig(signal, otlp, timeoutMs);
      return grpcMetadataChecked(() => new OTLPMetricExporter(config));
    }
    case 'http/json': {
      const { OTLPMetricExporter } = await optionalImport(
        () => import('@opentelemetry/exporter-metrics-otlp-http'),
        '@opentelemetry/exporter-metrics-otlp-http',
        `OTLP ${signal.protocol}`,
      );
      return new OTLPMetricExporter(httpConfig(signal, otlp, timeoutMs, agents, 'METRICS'));
    }
    default: {
      const { OTLPMetricExporter } = await optionalImport(
        () => import('@opentelemetry/exporter-metrics-otlp-proto'),
        '@opentelemetry/exporter-metrics-otlp-proto',
        `OTLP ${signal.protocol}`,
      );
      return new OTLPMetricExporter(httpConfig(signal, otlp, timeoutMs, agents, 'METRICS'));
    }
  }
}

/** The OTLP span exporter for `signal.protocol`. */
export async function createOtlpSpanExporter(
  signal: OtlpSignal,
  otlp: OtlpOptions,
  timeoutMs: number | undefined,
  agents: ExporterAgents,
): Promise<SpanExporter> {
  switch (signal.protocol) {
    case 'grpc': {
      const { OTLPTraceExporter } = await optionalImport(
        () => import('@opentelemetry/exporter-trace-otlp-grpc'),
        '@opentelemetry/exporter-trace-otlp-grpc',
        `OTLP ${signal.protocol}`,
      );
      const config = await grpcConfig(signal, otlp, timeoutMs);
      return grpcMetadataChecked(() => new OTLPTraceExporter(config));
    }
    case 'http/json': {
      const { OTLPTraceExporter } = await optionalImport(
        () => import('@opentelemetry/exporter-trace-otlp-http'),
        '@opentelemetry/exporter-trace-otlp-http',
        `OTLP ${signal.protocol}`,
      );
      return new OTLPTraceExporter(httpConfig(signal, otlp, timeoutMs, agents, 'TRACES'));
    }
    default: {
      const { OTLPTraceExporter } = await optionalImport(
        () => import('@opentelemetry/exporter-trace-otlp-proto'),
        '@opentelemetry/exporter-trace-otlp-proto',
        `OTLP ${signal.protocol}`,
      );
      return new OTLPTraceExporter(httpConfig(signal, otlp, timeoutMs, agents, 'TRACES'));
    }
  }
}

interface SharedConfig {
  url?: string;
  timeoutMillis?: number;
  // biome-ignore lint/suspicious/noExplicitAny: the exporters type it as their own CompressionAlgorithm enum, whose values are these strings
  compression?: any;
}

function sharedConfig(
  signal: OtlpSignal,
  otlp: OtlpOptions,
  timeoutMs: number | undefined,
): SharedConfig {
  return {
    ...(signal.url === undefined ? {} : { url: signal.url }),
    ...(timeoutMs === undefined ? {} : { timeoutMillis: timeoutMs }),
    ...(otlp.compression === undefined ? {} : { compression: otlp.compression }),
  };
}

function httpConfig(
  signal: OtlpSignal,
  otlp: OtlpOptions,
  timeoutMs: number | undefined,
  agents: ExporterAgents,
  name: 'METRICS' | 'TRACES',
) {
  return {
    ...sharedConfig(signal, otlp, timeoutMs),
    httpAgentOptions: agents.factory(name),
    ...(otlp.headers === undefined ? {} : { headers: { ...otlp.headers } }),
  };
}

async function grpcConfig(signal: OtlpSignal, otlp: OtlpOptions, timeoutMs: number | undefined) {
  const shared = sharedConfig(signal, otlp, timeoutMs);
  if (otlp.headers === undefined) return shared;
  const { Metadata } = await optionalImport(
    () => import('@grpc/grpc-js'),
    '@grpc/grpc-js',
    `OTLP ${signal.protocol}`,
  );
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(otlp.headers)) {
    try {
      metadata.set(key, value);
    } catch {
      // grpc-js quotes the value in its error: it may be a credential, so neither it nor the
      // error goes any further.
      throw new MetricsWiringError(
        'invalid-option',
        `createOtelPipeline: otlp.headers[${JSON.stringify(key)}] cannot be sent as gRPC metadata (names: lowercase letters, digits, "_", "-", "."; values: printable ASCII); the value is not shown.`,
      );
    }
  }
  return { ...shared, metadata };
}

// OpenTelemetry's gRPC exporter turns OTEL_EXPORTER_OTLP_*HEADERS into metadata in its
// constructor, and grpc-js throws on a name or value it refuses, quoting it (a credential,
// perhaps). The variable is named instead; nothing of the value goes any further.
function grpcMetadataChecked<T>(create: () => T): T {
  try {
    return create();
  } catch (error) {
    if (!/^Metadata (key|string value)/.test((error as Error)?.message ?? '')) throw error;
    throw new MetricsWiringError(
      'invalid-option',
      'createOtelPipeline: a header in OTEL_EXPORTER_OTLP_HEADERS (or its _METRICS_/_TRACES_ variant) cannot be sent as gRPC metadata (names: lowercase letters, digits, "_", "-", "."; values: printable ASCII); the value is not shown.',
    );
  }
}
