import { type MetricsError, MetricsRuntime, MetricsWiringError } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { ConfigError, type ExampleConfig } from './config.js';
import { type ConnectionScope, DocumentServer } from './http/document-server.js';
import { connectionMetrics, httpServerMetrics } from './metrics/http-metrics.js';
import { storageMetrics } from './metrics/storage-metrics.js';
import { configRedactor } from './secrets.js';
import { diskLikeDelay, InMemoryBackend, SimulatedBackend } from './storage/backend.js';
import { DocumentStorage } from './storage/document-storage.js';
import { requestSpans } from './tracing.js';
import type { RecorderView, ViewSources } from './view/view-model.js';

/** Recorder names of the example: two service-wide scopes and one per client connection. */
export const RECORDERS: ViewSources = {
  storage: 'document_storage',
  http: 'http_server',
  connectionPrefix: 'connection-',
};

/** The running example, as `main` sees it. */
export interface RunningService {
  readonly serviceUrl: string;
  readonly metricsUrl: string | undefined;
  /** Liveness and readiness probes beside `/metrics` (e.g. `http://127.0.0.1:9464/healthz`). */
  readonly probes: { readonly liveness: string; readonly readiness: string } | undefined;
  /** Where OTLP goes, e.g. `metrics http/protobuf, traces http/protobuf`; `undefined` when off. */
  readonly otlp: string | undefined;
  /** Every recorder alive now. */
  recorders(): readonly RecorderView[];
  /** Client connections opened so far. */
  readonly connectionsOpened: number;
  /** Stops the server (in-flight requests finish), drains every recorder, exports one last time. */
  shutdown(): Promise<void>;
}

/** Options of {@link startDocumentService} besides the configuration. */
export interface WiringOptions {
  /** Where run-time problems go (default `console.warn`). */
  log?: (line: string) => void;
}

/**
 * The only place that knows the runtime, the bridge and the pipeline: creates them, the
 * recorders (one per scope), the production objects and the server, and tears them down in order.
 *
 * @example
 * const service = await startDocumentService(parseConfig(process.argv.slice(2), process.env));
 * process.once('SIGTERM', () => void service.shutdown());
 */
export async function startDocumentService(
  config: ExampleConfig,
  options: WiringOptions = {},
): Promise<RunningService> {
  const log = options.log ?? ((line: string) => console.warn(line));
  const onError = (error: MetricsError) => log(`[mvx-metrics] ${error.message}`);

  const otelProblem = showOtelProblems(log, configRedactor(process.env, config.otlpEndpoint));
  // First the pipeline: a taken /metrics port fails here, before anything else has started.
  const pipeline = await startPipeline(config, otelProblem);
  const runtime = new MetricsRuntime({ namespace: 'docs', onError });
  const bridge = attachOtelBridge(runtime, {
    meterProvider: pipeline.meterProvider,
    tracerProvider: pipeline.tracerProvider,
    spans: true,
    onError,
  });
  // The lifecycle a deployment's probes see (initializing → running → draining → drained, or
  // failed): how the shutdown went is worth a line; the start is not (the view lists problems).
  runtime.onStateChange((state, previous) => {
    if (state !== 'running') log(`[mvx-metrics] runtime ${previous} → ${state}`);
  });
  runtime.start();
  // Node's runtime metrics (event-loop delay, GC, heap) from OpenTelemetry's own instrumentation,
  // on the pipeline's meter provider beside the bridge's metrics.
  const runtimeMetrics = new RuntimeNodeInstrumentation({ enabled: false });
  runtimeMetrics.setMeterProvider(pipeline.meterProvider);
  runtimeMetrics.enable();

  const storage = new DocumentStorage(
    runtime.createRecorder(RECORDERS.storage, { metrics: storageMetrics }),
    {
      backend: new SimulatedBackend(new InMemoryBackend(), {
        delayMs: diskLikeDelay(),
        failWrite: (id) => id.startsWith('faulty-'),
      }),
    },
  );

  let opened = 0;
  const removals = new Set<Promise<unknown>>();
  const openConnectionScope = (): ConnectionScope | undefined => {
    if (!runtime.isRunning) return undefined;
    opened++;
    const name = `${RECORDERS.connectionPrefix}${String(opened).padStart(3, '0')}`;
    const recorder = runtime.createRecorder(name, { metrics: connectionMetrics });
    return {
      name,
      recorder,
      close: () => {
        const removal = runtime.removeRecorder(name).finally(() => removals.delete(removal));
        removals.add(removal);
      },
    };
  };

  const server = new DocumentServer({
    storage,
    recorder: runtime.createRecorder(RECORDERS.http, { metrics: httpServerMetrics }),
    openConnectionScope,
    requestHook: requestSpans(
      pipeline.tracerProvider.getTracer('document-storage-example'),
      pipeline.propagator,
    ),
  });
  try {
    await server.listen(config.port, config.host);
  } catch (error) {
    runtimeMetrics.disable();
    await runtime.shutdown();
    bridge.detach();
    await pipeline.shutdown();
    throw listenError(error, config);
  }

  let stopping: Promise<void> | undefined;
  return {
    serviceUrl: `http://${hostForUrl(config.host)}:${server.port}`,
    metricsUrl: pipeline.prometheusUrl,
    probes: probeUrls(pipeline.prometheusUrl),
    otlp: describeOtlp(pipeline),
    recorders: () => runtime.recorders(),
    get connectionsOpened() {
      return opened;
    },
    shutdown() {
      stopping ??= (async () => {
        await server.close(2000);
        await Promise.allSettled([...removals]);
        await runtime.shutdown(); // every recorder drained: the mirror holds the final state
        await pipeline.shutdown(); // final collection and export
        runtimeMetrics.disable();
        bridge.detach();
      })();
      return stopping;
    },
  };
}

/** The pipeline of the configuration; a taken port becomes a {@link ConfigError}. */
export async function startPipeline(
  config: ExampleConfig,
  onProblem: (text: string) => void,
): Promise<OtelPipeline> {
  try {
    return await createOtelPipeline({
      onError: (error) => onProblem(error.message),
      serviceName: config.serviceName,
      serviceInstanceId: config.instanceId,
      prometheus: { host: config.metricsHost, port: config.metricsPort },
      // The rest of OTLP (per-signal endpoints, protocol, headers, interval) comes from the
      // standard OTEL_* environment, read by the pipeline.
      ...(config.otlpEndpoint === undefined ? {} : { otlp: { endpoint: config.otlpEndpoint } }),
    });
  } catch (error) {
    const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    const where = `${config.metricsHost}:${config.metricsPort}`;
    if (error instanceof MetricsWiringError && code === 'EADDRINUSE') {
      throw new ConfigError(
        `The metrics port ${where} is already in use (is another example running?). Stop the other process or pick another port: --metrics-port <n> or METRICS_PORT=<n>.`,
      );
    }
    if (error instanceof MetricsWiringError) {
      throw new ConfigError(`Cannot serve /metrics on ${where}: ${error.message}`);
    }
    throw error;
  }
}

// The pipeline's server answers /healthz and /readyz beside /metrics.
export function probeUrls(metricsUrl: string | undefined): RunningService['probes'] {
  if (metricsUrl === undefined) return undefined;
  const origin = new URL(metricsUrl).origin;
  return { liveness: `${origin}/healthz`, readiness: `${origin}/readyz` };
}

export function describeOtlp(pipeline: OtelPipeline): string | undefined {
  const { protocols } = pipeline.exporters;
  const parts = Object.entries(protocols).map(([signal, protocol]) => `${signal} ${protocol}`);
  return parts.length === 0 ? undefined : parts.join(', ');
}

/**
 * OpenTelemetry reports problems two ways: export failures through the pipeline's `onError`,
 * warnings through `diag` (JSON-encoded errors with stacks, an unparsable endpoint quoted whole).
 * Both end up here, secrets redacted, each distinct one shown once, as a single line. Returns the
 * reporter for `onError`.
 */
export function showOtelProblems(
  log: (line: string) => void,
  redact: (text: string) => string,
): (text: string) => void {
  const seen = new Set<string>();
  const show = (raw: string) => {
    const text = redact(raw);
    if (seen.has(text) || seen.size > 50) return;
    seen.add(text);
    log(`[opentelemetry] ${text}`);
  };
  const fromDiag = (message: string, ...args: unknown[]) => {
    try {
      const parsed = JSON.parse(message) as { message?: unknown };
      if (typeof parsed.message === 'string') return show(parsed.message);
    } catch {
      // not JSON: a plain diag message
    }
    show(args.length > 0 ? `${message} ${args.map(String).join(' ')}` : message);
  };
  const quiet = () => {};
  diag.setLogger(
    { error: fromDiag, warn: fromDiag, info: quiet, debug: quiet, verbose: quiet },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return show;
}

export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function listenError(error: unknown, config: ExampleConfig): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') {
    return new ConfigError(
      `The service port ${where} is already in use. Stop the other process or pick another port: --port <n> or SERVICE_PORT=<n>.`,
    );
  }
  if (code === 'EACCES') {
    return new ConfigError(`Not allowed to listen on ${where}: choose a port above 1023 (--port).`);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new ConfigError(
      `Cannot listen on ${where}: no such local address (--host / SERVICE_HOST).`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
