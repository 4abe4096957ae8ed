import { randomUUID } from 'node:crypto';
import { describeError, MetricsWiringError } from '@mvx-metrics/core';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { loggingErrorHandler, setGlobalErrorHandler } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  type IMetricReader,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

import { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { callContained } from '../internal/contain.js';
import { registerPipelineProducer } from '../internal/provider-registry.js';
import { MvxMetricProducer } from '../producer/mvx-metric-producer.js';
import { checkPipelineOptions } from './check-options.js';
import { prometheusLabels } from './prometheus-labels.js';
import { listenPrometheus, type PrometheusServer } from './prometheus-server.js';
import type { OtelPipeline, OtelPipelineOptions, OtlpOptions } from './types.js';

const DEFAULT_PROMETHEUS_PORT = 9464;
const DEFAULT_INTERVAL_MS = 10_000;
const DEFAULT_EXPORT_TIMEOUT_MS = 5_000;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 3_000;

/**
 * Builds the OpenTelemetry side of a service: a `MeterProvider` whose readers (Prometheus scrape
 * endpoint, OTLP/HTTP push) include the bridge's `MetricProducer`, a parent-based
 * `TracerProvider` exporting spans over OTLP/HTTP, and the resource `service.name` /
 * `service.instance.id`. Rejects (never crashes) when the Prometheus port is taken.
 *
 * @example
 * const pipeline = await createOtelPipeline({ serviceName: 'document-service' });
 * const bridge = attachOtelBridge(runtime, {
 *   meterProvider: pipeline.meterProvider,
 *   tracerProvider: pipeline.tracerProvider,
 *   spans: true,
 * });
 * console.log(`metrics on ${pipeline.prometheusUrl}`);
 */
export async function createOtelPipeline(options: OtelPipelineOptions): Promise<OtelPipeline> {
  checkPipelineOptions(options);
  if (
    options === null ||
    typeof options !== 'object' ||
    typeof options.serviceName !== 'string' ||
    options.serviceName === ''
  ) {
    throw new MetricsWiringError(
      'invalid-option',
      'createOtelPipeline needs { serviceName: string }.',
    );
  }
  const shutdownTimeoutMs = positive(
    options.shutdownTimeoutMs,
    DEFAULT_SHUTDOWN_TIMEOUT_MS,
    'shutdownTimeoutMs',
  );
  const producer = new MvxMetricProducer();
  const readers: IMetricReader[] = [];

  let server: PrometheusServer | undefined;
  if (options.prometheus !== false) {
    const prom = options.prometheus ?? {};
    const port = prom.port ?? DEFAULT_PROMETHEUS_PORT;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new MetricsWiringError(
        'invalid-option',
        `createOtelPipeline: prometheus.port must be an integer 0..65535, got ${JSON.stringify(port)}.`,
      );
    }
    const endpoint = `/${(prom.endpoint ?? '/metrics').replace(/^\/+/, '')}`;
    // The exporter's own server is never started: ours reports a taken port as a rejection.
    const exporter = new PrometheusExporter({
      preventServerStart: true,
      metricProducers: [prometheusLabels(producer, prom.naming ?? 'opentelemetry')],
    });
    server = await listenPrometheus(exporter, prom.host, port, endpoint);
    readers.push(exporter);
  }

  let spanProcessors: SpanProcessor[];
  let otlp: OtlpOptions | undefined;
  try {
    otlp = otlpOptions(options.otlp);
    spanProcessors = otlp === undefined ? [] : otlpExport(otlp, producer, readers);
  } catch (error) {
    await server?.close();
    throw error;
  }

  const resource = defaultResource().merge(
    resourceFromAttributes({
      'service.name': options.serviceName,
      'service.instance.id': options.serviceInstanceId ?? randomUUID(),
    }),
  );
  const meterProvider = new MeterProvider({ resource, readers });
  const tracerProvider = new TracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors,
  });
  registerPipelineProducer(meterProvider, producer);
  const undoErrorHandler = routeExportErrors(options.onError ?? warnOncePerProblem());
  const undoGlobals =
    options.registerGlobals === false ? () => {} : registerGlobals(meterProvider, tracerProvider);

  let stopping: Promise<void> | undefined;
  const pipeline: OtelPipeline = {
    meterProvider,
    tracerProvider,
    metricProducer: producer,
    otlpEnabled: otlp !== undefined,
    shutdown() {
      stopping ??= (async () => {
        undoGlobals();
        const work = Promise.allSettled([
          meterProvider.shutdown({ timeoutMillis: shutdownTimeoutMs }),
          tracerProvider.shutdown(),
        ]);
        await withTimeout(work, shutdownTimeoutMs);
        await server?.close();
        undoErrorHandler();
      })();
      return stopping;
    },
  };
  if (server !== undefined) return { ...pipeline, prometheusUrl: server.url };
  return pipeline;
}

const OTLP_ENDPOINT_VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
] as const;

// OTLP runs when asked for, in options or the standard environment variables: a service with no
// collector must not log a failed export every interval.
function otlpOptions(option: OtlpOptions | false | undefined): OtlpOptions | undefined {
  if (option === false) return undefined;
  if (option === undefined) {
    const configured = OTLP_ENDPOINT_VARIABLES.filter((name) => (process.env[name] ?? '') !== '');
    if (configured.length === 0) return undefined;
    for (const name of configured) checkUrl(process.env[name] as string, name);
    return {};
  }
  if (option.metricsUrl !== undefined) checkUrl(option.metricsUrl, 'otlp.metricsUrl');
  if (option.tracesUrl !== undefined) checkUrl(option.tracesUrl, 'otlp.tracesUrl');
  return option;
}

function checkUrl(value: string, name: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new MetricsWiringError(
      'invalid-option',
      `createOtelPipeline: ${name} must be an http(s) URL such as http://localhost:4318, got ${JSON.stringify(value)}.`,
    );
  }
}

// The OTLP/HTTP (JSON) metric reader joins `readers`; the span processor is returned.
function otlpExport(
  otlp: OtlpOptions,
  producer: MvxMetricProducer,
  readers: IMetricReader[],
): SpanProcessor[] {
  const intervalMs = positive(otlp.intervalMs, DEFAULT_INTERVAL_MS, 'otlp.intervalMs');
  const timeoutMs = Math.min(
    positive(otlp.timeoutMs, DEFAULT_EXPORT_TIMEOUT_MS, 'otlp.timeoutMs'),
    intervalMs,
  );
  readers.push(
    new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({
        timeoutMillis: timeoutMs,
        ...(otlp.metricsUrl === undefined ? {} : { url: otlp.metricsUrl }),
      }),
      exportIntervalMillis: intervalMs,
      exportTimeoutMillis: timeoutMs,
      metricProducers: [producer],
    }),
  );
  const traceExporter = new OTLPTraceExporter({
    timeoutMillis: timeoutMs,
    ...(otlp.tracesUrl === undefined ? {} : { url: otlp.tracesUrl }),
  });
  return [new BatchSpanProcessor({ exporter: traceExporter, exportTimeoutMillis: timeoutMs })];
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new MetricsWiringError(
      'invalid-option',
      `createOtelPipeline: ${name} must be a positive number of milliseconds, got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

// Globals only where none is installed, so a NodeSDK already running keeps its own.
function registerGlobals(meterProvider: MeterProvider, tracerProvider: TracerProvider): () => void {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  // Each returns false (and leaves the installed one) when a global is already registered.
  const setContext = context.setGlobalContextManager(contextManager);
  const setMeter = metrics.setGlobalMeterProvider(meterProvider);
  const setTracer = trace.setGlobalTracerProvider(tracerProvider);
  return () => {
    if (setContext) context.disable();
    if (setMeter) metrics.disable();
    if (setTracer) trace.disable();
  };
}

// Exporters report failures (collector down, 5xx, timeouts) to OpenTelemetry's global error
// handler, which by default only reaches `diag` — silent unless a diag logger is installed.
function routeExportErrors(onError: (error: Error) => void): () => void {
  // a throwing handler must not break the exporter's interval: contained
  setGlobalErrorHandler((exception) => {
    callContained(
      onError,
      new OtelBridgeError('export-failed', describeError(exception), { cause: exception }),
    );
  });
  return () => setGlobalErrorHandler(loggingErrorHandler());
}

function warnOncePerProblem(): (error: Error) => void {
  const seen = new Set<string>();
  return (error) => {
    if (seen.has(error.message)) return;
    seen.add(error.message);
    console.warn(
      `[mvx-metrics] OpenTelemetry export failed (reported once per problem): ${error.message}`,
    );
  };
}

function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void work.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
