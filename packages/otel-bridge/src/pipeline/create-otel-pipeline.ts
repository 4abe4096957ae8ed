import { defaultResource } from '@opentelemetry/resources';
import {
  ConsoleMetricExporter,
  type IMetricReader,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { checkPipelineOptions } from '../config/check-options.js';
import { installDiagLogger } from '../config/diagnostics.js';
import { PipelineEnvironment } from '../config/environment.js';
import type { OtelPipelineOptions } from '../config/options.js';
import { propagatorFromEnv } from '../config/propagator.js';
import { buildResource } from '../config/resource.js';
import { samplerFromEnv } from '../config/sampler.js';
import { pipelineRedactor, redactingExporter } from '../config/secrets.js';
import { type PipelineSettings, positiveOption, resolveSettings } from '../config/settings.js';
import { resolveSpanLimits } from '../config/span-limits.js';
import { DEFAULT_EXPORT_FAILURES_UNTIL_UNREADY, PipelineHealth } from '../health/health.js';
import { readOption } from '../internal/option-checks.js';
import { optionalImport } from '../internal/optional-import.js';
import { type Redactor, redactWord } from '../internal/redact.js';
import {
  ExportCounters,
  type ExportOutcomeSink,
  isReportedExportFailure,
  ReportedMetricExporter,
} from '../otlp/export-outcomes.js';
import { ExporterAgents } from '../otlp/exporter-agents.js';
import { TransportControl } from '../otlp/exporter-internals.js';
import { createOtlpMetricExporter, createOtlpSpanExporter } from '../otlp/otlp-exporters.js';
import { MvxMetricProducer, reportViewProblems } from '../producer/mvx-metric-producer.js';
import { carryPipelineLink } from '../producer/pipeline-link.js';
import { prometheusLabels } from '../prometheus/prometheus-labels.js';
import { listenPrometheus, type PrometheusServer } from '../prometheus/prometheus-server.js';
import {
  createRequestHandler,
  type PipelineRequestHandler,
} from '../prometheus/request-handler.js';
import { compileViews } from '../views/view-options.js';
import { finalExport } from './final-export.js';
import {
  registerGlobals,
  routeExportErrors,
  safeReporter,
  warnOncePerProblem,
  withTimeout,
} from './lifecycle.js';
import type { OtelPipeline, PipelineExporters } from './types.js';

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 3_000;

/**
 * Builds the OpenTelemetry side of a service as NodeSDK would from the `OTEL_*` environment
 * (options win): a `MeterProvider` whose readers (Prometheus scrape endpoint, OTLP over
 * http/protobuf, http/json or gRPC, console) include the bridge's `MetricProducer`, a
 * `TracerProvider` with the configured sampler and span exporters, the detected resource and the
 * propagator. Invalid variables are reported through `onError`; invalid options reject.
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
export async function createOtelPipeline(options: OtelPipelineOptions = {}): Promise<OtelPipeline> {
  const redactor = pipelineRedactor(options);
  try {
    return await buildPipeline(options, redactor);
  } catch (error) {
    // A wiring error never quotes a secret; an exporter's constructor might.
    throw redactor.error(error);
  }
}

async function buildPipeline(
  options: OtelPipelineOptions,
  redactor: Redactor,
): Promise<OtelPipeline> {
  checkPipelineOptions(options);
  const shutdownTimeoutMs =
    positiveOption(options.shutdownTimeoutMs, 'shutdownTimeoutMs') ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const report = safeReporter(options.onError ?? warnOncePerProblem(), (error) =>
    redactor.error(error),
  );
  const env = new PipelineEnvironment();
  // First, as NodeSDK does: what OpenTelemetry tells `diag` while the pipeline is built shows.
  installDiagLogger(env);
  const disabled = options.disabled ?? env.boolean('OTEL_SDK_DISABLED');
  const settings = disabled ? undefined : resolveSettings(options, env);
  const resource = disabled
    ? defaultResource()
    : await buildResource(options, env, (arg) => redactor.text(redactWord(arg)));
  const sampler = disabled ? new AlwaysOffSampler() : (options.sampler ?? samplerFromEnv(env));
  const spanLimits = disabled ? {} : resolveSpanLimits(options.spanLimits, env);
  const propagator = options.propagator ?? (await propagatorFromEnv(env));
  // The Views apply to the pipeline's provider (your instruments) and its producer (the mirror).
  // Read once (a getter may throw); a wrong View rejects under the pipeline's name.
  const views = readOption('createOtelPipeline', options, 'views') as ViewOptions[] | undefined;
  compileViews('createOtelPipeline', views);
  const producer = new MvxMetricProducer(views === undefined ? {} : { views });
  // A View that cannot apply is a configuration problem: onError, once per View and metric.
  reportViewProblems(producer, (problem) => report(problem as Error));
  // The probes' view of the bridged runtimes and of the push exporters' outcomes; its flush is
  // the bridges' final export on a terminal state (the provider exists once the readers do).
  let flushProvider = (): Promise<void> => Promise.resolve();
  const health = new PipelineHealth(
    options.health?.exportFailuresUntilUnready ?? DEFAULT_EXPORT_FAILURES_UNTIL_UNREADY,
    () => flushProvider(),
  );

  const sink: ExportOutcomeSink = { report, counters: new ExportCounters() };
  const built =
    settings === undefined
      ? undefined
      : await buildExport(settings, producer, env, sink, health, redactor);
  for (const problem of env.problems) report(problem);

  const meterProvider = new MeterProvider({
    resource,
    readers: built?.readers ?? [],
    ...(views === undefined ? {} : { views }),
  });
  // Once the provider shuts down, a flush would only log a warning: its own final export runs.
  let providerDown = false;
  flushProvider = () => (providerDown ? Promise.resolve() : meterProvider.forceFlush());
  const tracerProvider = new TracerProvider({
    resource,
    sampler,
    spanLimits,
    spanProcessors: built?.spanProcessors ?? [],
  });
  if (built !== undefined && built.pushExporters.length > 0) sink.counters.bind(meterProvider);
  // The pipeline's wiring travels with its provider and producer to the bridges attached to them.
  // A disabled pipeline keeps core untouched: no exemplars, so no capturer either.
  const exemplarFilter = settings?.exemplarFilter ?? 'always_off';
  carryPipelineLink({ producer, exemplarFilter, health }, meterProvider, producer);
  // A metric export failure reaches the global handler once more, restated by the periodic
  // reader, after its exporter reported it here (export-outcomes.ts).
  const undoErrorHandler = routeExportErrors((exception) => {
    if (!isReportedExportFailure(exception)) report(exception);
  });
  const undoGlobals =
    options.registerGlobals === false || disabled
      ? () => {}
      : registerGlobals(meterProvider, tracerProvider, propagator);

  let stopping: Promise<void> | undefined;
  const pipeline: OtelPipeline = {
    meterProvider,
    tracerProvider,
    metricProducer: producer,
    propagator,
    resource,
    exemplarFilter: settings?.exemplarFilter ?? 'trace_based',
    otlpEnabled: settings?.otlpMetrics !== undefined || settings?.otlpTraces !== undefined,
    exporters: built?.exporters ?? { metrics: [], traces: [], protocols: {} },
    disabled,
    requestHandler: built?.handler ?? createRequestHandler(undefined, '', health),
    shutdown() {
      stopping ??= (async () => {
        health.markShutDown();
        undoGlobals();
        // The bridges' exports on a terminal state go first, so their outcome is reported in
        // time; the pipeline's final export gets what is left of the one budget.
        const started = performance.now();
        await withTimeout(health.settled(), shutdownTimeoutMs);
        providerDown = true;
        const spent = performance.now() - started;
        const parts = built && { ...built, tracesOn: built.exporters.traces.length > 0 };
        await finalExport(meterProvider, tracerProvider, parts, report, shutdownTimeoutMs, spent);
        await built?.server?.close();
        undoErrorHandler();
      })();
      return stopping;
    },
  };
  if (built?.server !== undefined) return { ...pipeline, prometheusUrl: built.server.url };
  return pipeline;
}

interface BuiltExport {
  readonly readers: IMetricReader[];
  readonly spanProcessors: SpanProcessor[];
  readonly exporters: PipelineExporters;
  readonly server?: PrometheusServer;
  readonly handler: PipelineRequestHandler;
  /** Every push exporter, wrapped so that each export's outcome is reported (export-outcomes.ts). */
  readonly pushExporters: readonly ReportedMetricExporter[];
  readonly agents: ExporterAgents;
  /** The OTLP span exporters' transports, which shutdown closes when its budget ran out. */
  readonly spanTransports: readonly TransportControl[];
}

// Starts the Prometheus server first (a taken port rejects before anything else runs) and
// closes it again if a later step fails.
async function buildExport(
  settings: PipelineSettings,
  producer: MvxMetricProducer,
  env: PipelineEnvironment,
  sink: ExportOutcomeSink,
  health: PipelineHealth,
  redactor: Redactor,
): Promise<BuiltExport> {
  const readers: IMetricReader[] = [];
  const pushExporters: ReportedMetricExporter[] = [];
  const agents = new ExporterAgents();
  const metrics: PipelineExporters['metrics'][number][] = [];
  let server: PrometheusServer | undefined;
  let handler = createRequestHandler(undefined, '', health);
  if (settings.prometheus !== undefined) {
    const { PrometheusExporter, PrometheusSerializer } = await optionalImport(
      () => import('@opentelemetry/exporter-prometheus'),
      '@opentelemetry/exporter-prometheus',
      'the Prometheus endpoint',
    );
    // The exporter's own server is never started: ours reports a taken port as a rejection.
    const exporter = new PrometheusExporter({
      preventServerStart: true,
      metricProducers: [prometheusLabels(producer, settings.prometheus.naming)],
    });
    const { host, port, endpoint, naming, listen } = settings.prometheus;
    // The exporter's serializer with the exporter's defaults: the text format it would serve.
    const serializer = new PrometheusSerializer();
    handler = createRequestHandler({ exporter, serializer, naming }, endpoint, health);
    if (listen) server = await listenPrometheus(handler, host, port, endpoint);
    readers.push(exporter);
    metrics.push('prometheus');
  }
  try {
    const periodic = (inner: PushMetricExporter, name: string, label: string) => {
      // Readiness counts each push exporter's consecutive failures, as the wrapper reports them.
      const exporter = new ReportedMetricExporter(
        inner,
        name,
        label,
        settings.readerTimeoutMs,
        sink,
        health.exportStreak(label),
      );
      pushExporters.push(exporter);
      return new PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: settings.intervalMs,
        exportTimeoutMillis: settings.readerTimeoutMs,
        // Each push reader its own temporality (OTLP: the exporter's, from
        // OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE) and its own delta state.
        metricProducers: [producer.forReader(exporter)],
      });
    };
    const timeoutMs = settings.otlp.timeoutMs;
    if (settings.otlpMetrics !== undefined) {
      const { protocol } = settings.otlpMetrics;
      const exporter = redactingExporter(
        await createOtlpMetricExporter(
          settings.otlpMetrics,
          settings.otlp,
          settings.exporterTimeoutMs,
          agents,
        ),
        redactor,
      );
      readers.push(periodic(exporter, `OTLP ${protocol}`, 'otlp'));
      metrics.push('otlp');
    }
    if (settings.consoleMetrics) {
      readers.push(periodic(new ConsoleMetricExporter(), 'Console', 'console'));
      metrics.push('console');
    }
    const spanProcessors: SpanProcessor[] = [];
    const spanTransports: TransportControl[] = [];
    const traces: PipelineExporters['traces'][number][] = [];
    if (settings.otlpTraces !== undefined) {
      const exporter = redactingExporter(
        await createOtlpSpanExporter(settings.otlpTraces, settings.otlp, timeoutMs, agents),
        redactor,
      );
      spanTransports.push(new TransportControl(exporter));
      spanProcessors.push(new BatchSpanProcessor({ exporter, ...batchOptions(env, timeoutMs) }));
      traces.push('otlp');
    }
    if (settings.consoleTraces) {
      spanProcessors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
      traces.push('console');
    }
    const protocols = {
      ...(settings.otlpMetrics === undefined ? {} : { metrics: settings.otlpMetrics.protocol }),
      ...(settings.otlpTraces === undefined ? {} : { traces: settings.otlpTraces.protocol }),
    };
    const exporters = { metrics, traces, protocols };
    const built = {
      readers,
      spanProcessors,
      exporters,
      pushExporters,
      agents,
      spanTransports,
      handler,
    };
    return server === undefined ? built : { ...built, server };
  } catch (error) {
    await server?.close();
    throw error;
  }
}

// NodeSDK's `OTEL_BSP_*` variables; `otlp.timeoutMs` wins for the export timeout.
function batchOptions(env: PipelineEnvironment, timeoutMs: number | undefined) {
  const value = (name: string) => env.positive(name, undefined);
  const options = {
    scheduledDelayMillis: value('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: timeoutMs ?? value('OTEL_BSP_EXPORT_TIMEOUT'),
    maxQueueSize: value('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: value('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
