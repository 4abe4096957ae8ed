import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { redactUrls } from './secrets.js';

/**
 * A configuration mistake: `main` prints the message alone and exits non-zero. URL credentials
 * and query strings in the message are hidden (a flag's value may be quoted in it).
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(redactUrls(message));
    this.name = 'ConfigError';
  }
}

/** Everything `npm start` can be told, from flags or environment variables. */
export interface ExampleConfig {
  serviceName: string;
  instanceId: string;
  host: string;
  port: number;
  metricsHost: string;
  metricsPort: number;
  /** Requests per second of the built-in load generator; 0 = none. */
  loadRate: number;
  /** The load generator closes a connection after about this many requests. */
  connectionRequests: number;
  ui: boolean;
  /** `--otlp-endpoint`: an OTLP base URL for both signals; otherwise the `OTEL_*` environment decides. */
  otlpEndpoint: string | undefined;
  /** `--workers N`: run the service as a node:cluster of N worker processes (0 = one process). */
  workers: number;
  help: boolean;
}

/** The `--help` text. */
export const USAGE = `Usage: npm start -- [options]
       node packages/examples/dist/main.js [options]

The document-storage example: a service, its load generator and a live view
of its metrics.

Options, each with its environment variable and default:
  --port <n>                 SERVICE_PORT                 8080
  --host <address>           SERVICE_HOST                 127.0.0.1
  --metrics-port <n>         METRICS_PORT                 9464
      the Prometheus /metrics endpoint
  --metrics-host <address>   METRICS_HOST                 127.0.0.1
  --rate <n>                 LOAD_RATE                    40
      requests/s of the load generator; 0 = no load
  --no-load                  same as --rate 0
  --connection-requests <n>  LOAD_CONNECTION_REQUESTS     200
      the load generator recycles a connection after ~n requests
  --workers <n>              SERVICE_WORKERS              0
      n worker processes share the service port; 0 = one process
  --no-ui                    NO_UI=1
      plain log lines instead of the live view
  --instance-id <id>         SERVICE_INSTANCE_ID          <hostname>-<pid>
  --service-name <name>      OTEL_SERVICE_NAME            document-storage
  --otlp-endpoint <url>      OTEL_EXPORTER_OTLP_ENDPOINT  (off)
      e.g. http://localhost:4318
  -h, --help                 this text

Every other OpenTelemetry SDK variable works as with any SDK (see
docs/configuration.md), e.g. OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf,
http/json, grpc), OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS,
OTEL_METRIC_EXPORT_INTERVAL (60000), OTEL_RESOURCE_ATTRIBUTES,
OTEL_TRACES_SAMPLER, OTEL_SDK_DISABLED.`;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads flags (`argv` without node and script) and environment; throws {@link ConfigError}. */
export function parseConfig(argv: readonly string[], env: Env): ExampleConfig {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run with --help for the options.`);
  }
  const pick = (flag: string | undefined, variable: string): string | undefined =>
    flag ?? (env[variable] === '' ? undefined : env[variable]);

  const otlpFlag = values['otlp-endpoint'];
  const otlpEndpoint = otlpFlag === undefined ? undefined : url(otlpFlag, '--otlp-endpoint');

  const rate = values['no-load']
    ? 0
    : number(pick(values.rate, 'LOAD_RATE') ?? '40', '--rate / LOAD_RATE', 0, 10_000);
  const noUi = values['no-ui'] === true || truthy(env.NO_UI);
  return {
    serviceName: pick(values['service-name'], 'OTEL_SERVICE_NAME') ?? 'document-storage',
    instanceId:
      pick(values['instance-id'], 'SERVICE_INSTANCE_ID') ?? `${hostname()}-${process.pid}`,
    host: pick(values.host, 'SERVICE_HOST') ?? '127.0.0.1',
    port: integer(pick(values.port, 'SERVICE_PORT') ?? '8080', '--port / SERVICE_PORT', 0, 65535),
    metricsHost: pick(values['metrics-host'], 'METRICS_HOST') ?? '127.0.0.1',
    metricsPort: integer(
      pick(values['metrics-port'], 'METRICS_PORT') ?? '9464',
      '--metrics-port / METRICS_PORT',
      0,
      65535,
    ),
    loadRate: rate,
    connectionRequests: integer(
      pick(values['connection-requests'], 'LOAD_CONNECTION_REQUESTS') ?? '200',
      '--connection-requests / LOAD_CONNECTION_REQUESTS',
      1,
      1_000_000,
    ),
    ui: !noUi,
    otlpEndpoint,
    workers: integer(
      pick(values.workers, 'SERVICE_WORKERS') ?? '0',
      '--workers / SERVICE_WORKERS',
      0,
      64,
    ),
    help: values.help === true,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
      rate: { type: 'string' },
      'no-load': { type: 'boolean' },
      'connection-requests': { type: 'string' },
      'no-ui': { type: 'boolean' },
      'instance-id': { type: 'string' },
      'service-name': { type: 'string' },
      'otlp-endpoint': { type: 'string' },
      workers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

function number(text: string, what: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`${what} must be a number from ${min} to ${max}, got "${text}".`);
  }
  return value;
}

function integer(text: string, what: string, min: number, max: number): number {
  const value = number(text, what, min, max);
  if (!Number.isInteger(value)) {
    throw new ConfigError(`${what} must be a whole number from ${min} to ${max}, got "${text}".`);
  }
  return value;
}

/**
 * Validates an http(s) URL; `undefined` and `''` mean unset. The value is never quoted: it may
 * carry credentials (`user:password@`) or a token in its query.
 */
function url(text: string | undefined, what: string): string | undefined {
  if (text === undefined || text === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    const reason = /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
      ? 'does not parse as a URL'
      : 'does not start with http:// or https://';
    throw new ConfigError(
      `${what} is not a valid URL: it ${reason} (the value is not shown: it may hold credentials). Expected something like http://localhost:4318.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(
      `${what} must be an http:// or https:// URL (OTLP over HTTP); its scheme is not (the value is not shown: it may hold credentials).`,
    );
  }
  return parsed.href;
}
