import { MetricsWiringError } from '@mvx-metrics/core';
import { headerProblem } from '../internal/http-headers.js';
import { type PipelineEnvironment, urlProblem, withoutNames } from './environment.js';
import type {
  ExemplarFilter,
  OtelPipelineOptions,
  OtlpOptions,
  OtlpProtocol,
  PrometheusOptions,
} from './options.js';

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const METRICS_EXPORTERS = ['otlp', 'prometheus', 'console', 'none'] as const;
const TRACES_EXPORTERS = ['otlp', 'console', 'none'] as const;
const EXEMPLAR_FILTERS: readonly ExemplarFilter[] = ['always_on', 'always_off', 'trace_based'];
const DEFAULT_INTERVAL_MS = 60_000; // the SDK specification's defaults
const DEFAULT_EXPORT_TIMEOUT_MS = 30_000;
const DEFAULT_EXPORTER_TIMEOUT_MS = 10_000; // OTEL_EXPORTER_OTLP_TIMEOUT's
const DEFAULT_PROMETHEUS_PORT = 9464;

/** One signal's OTLP export: protocol, and a URL when options give one (else the exporter reads the environment). */
export interface OtlpSignal {
  readonly protocol: OtlpProtocol;
  readonly url?: string;
}

/** Everything the pipeline builds, resolved from options over the environment. */
export interface PipelineSettings {
  readonly prometheus?: PrometheusSettings;
  readonly otlpMetrics?: OtlpSignal;
  readonly otlpTraces?: OtlpSignal;
  readonly consoleMetrics: boolean;
  readonly consoleTraces: boolean;
  readonly intervalMs: number;
  readonly readerTimeoutMs: number;
  /** The OTLP metric exporter's own timeout: never longer than the reader's. */
  readonly exporterTimeoutMs: number;
  readonly otlp: OtlpOptions;
  readonly exemplarFilter: ExemplarFilter;
}

type Signal = 'METRICS' | 'TRACES';

/** Resolves which exporters run and how; explicit options win, invalid variables are reported. */
export function resolveSettings(
  options: OtelPipelineOptions,
  env: PipelineEnvironment,
): PipelineSettings {
  const otlp = checkOtlpOption(options.otlp);
  const metricsList = exporterList(env, 'OTEL_METRICS_EXPORTER', METRICS_EXPORTERS);
  const tracesList = exporterList(env, 'OTEL_TRACES_EXPORTER', TRACES_EXPORTERS);
  validateExporterVariables(env);

  const intervalMs =
    positiveOption(otlp?.intervalMs, 'otlp.intervalMs') ??
    (env.positive('OTEL_METRIC_EXPORT_INTERVAL', DEFAULT_INTERVAL_MS) as number);
  const timeoutMs =
    positiveOption(otlp?.timeoutMs, 'otlp.timeoutMs') ??
    (env.positive('OTEL_METRIC_EXPORT_TIMEOUT', DEFAULT_EXPORT_TIMEOUT_MS) as number);

  const prometheusOn =
    options.prometheus === false
      ? false
      : options.prometheus !== undefined || (metricsList?.includes('prometheus') ?? true);
  const prometheus = prometheusOn ? prometheusSettings(options.prometheus || {}, env) : undefined;
  const otlpMetrics = otlpSignalOn(options.otlp, metricsList, env, 'METRICS', otlp?.metricsUrl)
    ? otlpSignal(otlp, env, 'METRICS', otlp?.metricsUrl)
    : undefined;
  const otlpTraces = otlpSignalOn(options.otlp, tracesList, env, 'TRACES', otlp?.tracesUrl)
    ? otlpSignal(otlp, env, 'TRACES', otlp?.tracesUrl)
    : undefined;

  // The reader refuses a timeout above the interval; NodeSDK clamps it the same way.
  const readerTimeoutMs = Math.min(timeoutMs, intervalMs);
  // The reader abandons an export at its own timeout: a request the exporter kept open past it
  // would only hold a socket and a slot of the exporter's concurrency limit (30), while a
  // collector that refuses connections would be retried until then and reported as silent.
  const exporterTimeoutMs = Math.min(
    readerTimeoutMs,
    otlp?.timeoutMs ??
      env.positive('OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', undefined) ??
      (env.positive('OTEL_EXPORTER_OTLP_TIMEOUT', DEFAULT_EXPORTER_TIMEOUT_MS) as number),
  );

  return {
    ...(prometheus === undefined ? {} : { prometheus }),
    ...(otlpMetrics === undefined ? {} : { otlpMetrics }),
    ...(otlpTraces === undefined ? {} : { otlpTraces }),
    consoleMetrics: metricsList?.includes('console') ?? false,
    consoleTraces: tracesList?.includes('console') ?? false,
    intervalMs,
    readerTimeoutMs,
    exporterTimeoutMs,
    otlp: otlp ?? {},
    exemplarFilter:
      options.exemplarFilter ??
      env.choice('OTEL_METRICS_EXEMPLAR_FILTER', EXEMPLAR_FILTERS, 'trace_based'),
  };
}

// `none` alone switches a signal off; unknown names are reported and skipped.
function exporterList(
  env: PipelineEnvironment,
  name: string,
  known: readonly string[],
): string[] | undefined {
  const list = env.list(name);
  if (list === undefined) return undefined;
  const raw = env.string(name) ?? '';
  // One report per value (a second one would be dropped): what is then used, `none` first.
  if (list.includes('none') && list.length > 1) {
    env.invalid(name, raw, '"none" alone', 'none');
    return [];
  }
  const unknown = list.filter((entry) => !known.includes(entry));
  if (unknown.length > 0) {
    env.invalid(name, raw, `a list of ${known.join(', ')}`, withoutNames(unknown));
  }
  return list.filter((entry) => known.includes(entry) && entry !== 'none');
}

// A signal pushes over OTLP when options give its URL (or a base endpoint), when the exporter
// list names otlp, or — with no list — when the environment configures its endpoint or
// `otlp` is given without any URL. A metrics-only endpoint therefore exports metrics only.
function otlpSignalOn(
  option: OtlpOptions | false | undefined,
  list: string[] | undefined,
  env: PipelineEnvironment,
  signal: Signal,
  url: string | undefined,
): boolean {
  if (option === false) return false;
  if (url !== undefined || option?.endpoint !== undefined) return true;
  if (list !== undefined) return list.includes('otlp');
  if (env.string(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`) !== undefined) return true;
  if (env.string('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined) return true;
  return option !== undefined && option.metricsUrl === undefined && option.tracesUrl === undefined;
}

function otlpSignal(
  otlp: OtlpOptions | undefined,
  env: PipelineEnvironment,
  signal: Signal,
  url: string | undefined,
): OtlpSignal {
  const protocol = otlp?.protocol ?? protocolFromEnv(env, signal);
  const path = signal === 'METRICS' ? 'v1/metrics' : 'v1/traces';
  const base = otlp?.endpoint;
  const resolved =
    url ??
    (base === undefined
      ? undefined
      : protocol === 'grpc'
        ? base
        : `${base.endsWith('/') ? base : `${base}/`}${path}`);
  if (resolved === undefined && protocol !== 'grpc') {
    const fallback = `the exporter's default http://localhost:4318/${path}`;
    // The exporter itself falls back the same way (with a diag warning only).
    if (env.url(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`, fallback) === undefined) {
      env.url('OTEL_EXPORTER_OTLP_ENDPOINT', fallback);
    }
  }
  if (resolved === undefined && protocol === 'grpc') return grpcSignalFromEnv(env, signal);
  return resolved === undefined ? { protocol } : { protocol, url: resolved };
}

const GRPC_DEFAULT_URL = 'http://localhost:4317';

// The gRPC exporter reads its endpoint variable itself (the signal's, else the shared one), and
// its constructor throws a bare `TypeError: Invalid URL` carrying the value (a credential,
// perhaps) on one that does not parse even with the `https://` it adds to a scheme-less
// `host:port`: createOtelPipeline rejected. As the HTTP exporters' variables are, such a value is
// reported (not shown) and the exporter's default used; any other value stays the exporter's.
function grpcSignalFromEnv(env: PipelineEnvironment, signal: Signal): OtlpSignal {
  for (const name of [`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`, 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
    const raw = env.string(name)?.trim();
    if (raw === undefined || raw === '') continue;
    if (grpcTargetParses(raw)) break;
    env.invalidSecret(
      name,
      raw,
      'a URL such as http://collector:4317 (or host:port)',
      `the exporter's default ${GRPC_DEFAULT_URL}`,
    );
    return { protocol: 'grpc', url: GRPC_DEFAULT_URL };
  }
  return { protocol: 'grpc' };
}

// As the gRPC exporter reads it (otlp-grpc-exporter-base's validateAndNormalizeUrl).
function grpcTargetParses(text: string): boolean {
  try {
    new URL(/^\w{1,8}:\/\//.test(text) ? text : `https://${text}`);
    return true;
  } catch {
    return false;
  }
}

function protocolFromEnv(env: PipelineEnvironment, signal: Signal): OtlpProtocol {
  return (
    env.choice(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`, PROTOCOLS, undefined) ??
    env.choice('OTEL_EXPORTER_OTLP_PROTOCOL', PROTOCOLS, 'http/protobuf')
  );
}

// Variables the OTLP exporters read themselves: validated here only to report bad values,
// which OpenTelemetry would otherwise mention to `diag` alone.
function validateExporterVariables(env: PipelineEnvironment): void {
  for (const infix of ['', 'METRICS_', 'TRACES_']) {
    env.keyValues(`OTEL_EXPORTER_OTLP_${infix}HEADERS`);
    env.choice(`OTEL_EXPORTER_OTLP_${infix}COMPRESSION`, ['gzip', 'none'], 'none');
    env.positive(`OTEL_EXPORTER_OTLP_${infix}TIMEOUT`, DEFAULT_EXPORTER_TIMEOUT_MS);
  }
}

/** Where and how `/metrics` is served. */
interface PrometheusSettings {
  readonly host?: string;
  readonly port: number;
  readonly endpoint: string;
  readonly naming: NonNullable<PrometheusOptions['naming']>;
  /** Whether the pipeline runs a server of its own (else only `requestHandler` serves). */
  readonly listen: boolean;
}

function prometheusSettings(
  option: PrometheusOptions,
  env: PipelineEnvironment,
): PrometheusSettings {
  const port = option.port ?? envPort(env);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new MetricsWiringError(
      'invalid-option',
      `createOtelPipeline: prometheus.port must be an integer 0..65535, got ${JSON.stringify(port)}.`,
    );
  }
  const host = option.host ?? env.string('OTEL_EXPORTER_PROMETHEUS_HOST');
  const endpoint = `/${(option.endpoint ?? '/metrics').replace(/^\/+/, '')}`;
  const naming = option.naming ?? 'opentelemetry';
  const listen = option.listen ?? true;
  return host === undefined
    ? { port, endpoint, naming, listen }
    : { host, port, endpoint, naming, listen };
}

function envPort(env: PipelineEnvironment): number {
  const port = env.ranged('OTEL_EXPORTER_PROMETHEUS_PORT', 0, 65_535, DEFAULT_PROMETHEUS_PORT);
  if (Number.isInteger(port)) return port;
  env.invalid(
    'OTEL_EXPORTER_PROMETHEUS_PORT',
    String(port),
    'a whole number',
    `the default ${DEFAULT_PROMETHEUS_PORT}`,
  );
  return DEFAULT_PROMETHEUS_PORT;
}

function checkOtlpOption(option: OtlpOptions | false | undefined): OtlpOptions | undefined {
  if (option === false || option === undefined) return undefined;
  for (const key of ['endpoint', 'metricsUrl', 'tracesUrl'] as const) {
    const value = option[key];
    const problem = value === undefined ? undefined : urlProblem(value);
    if (problem !== undefined) {
      // The value is not quoted: an endpoint may carry credentials or a token in its query.
      throw new MetricsWiringError(
        'invalid-option',
        `createOtelPipeline: otlp.${key} must be an http(s) URL such as http://localhost:4318, but ${problem} (the value is not shown: it may hold credentials).`,
      );
    }
  }
  for (const [name, value] of Object.entries(option.headers ?? {})) {
    const problem = headerProblem(name, value);
    if (problem !== undefined) {
      throw new MetricsWiringError(
        'invalid-option',
        `createOtelPipeline: otlp.headers is refused: ${problem}; every export would fail.`,
      );
    }
  }
  if (option.protocol !== undefined && !PROTOCOLS.includes(option.protocol)) {
    throw new MetricsWiringError(
      'invalid-option',
      `createOtelPipeline: otlp.protocol must be one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(option.protocol)}.`,
    );
  }
  if (option.compression !== undefined && !['gzip', 'none'].includes(option.compression)) {
    throw new MetricsWiringError(
      'invalid-option',
      `createOtelPipeline: otlp.compression must be 'gzip' or 'none', got ${JSON.stringify(option.compression)}.`,
    );
  }
  return option;
}

/** A positive millisecond option, or `undefined` when not given; anything else throws. */
export function positiveOption(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new MetricsWiringError(
      'invalid-option',
      `createOtelPipeline: ${name} must be a positive number of milliseconds, got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}
