import {
  IS,
  optional,
  optionalWith,
  optionError,
  optionsObject,
  readOption,
  shown,
} from '../internal/option-checks.js';

import { checkSpanLimits } from './span-limits.js';

const OWNER = 'createOtelPipeline';

/**
 * Checks the type of every option of `createOtelPipeline` before anything starts; a mistake
 * throws a MetricsWiringError naming the option. Value rules (URLs, ports) are checked where the
 * option is used.
 */
export function checkPipelineOptions(raw: unknown): void {
  // No options at all is fine: the OTEL_* environment (OTEL_SERVICE_NAME) may say everything.
  const options = optionsObject(OWNER, raw === undefined ? {} : raw);
  const serviceName = readOption(OWNER, options, 'serviceName');
  if (serviceName !== undefined && (typeof serviceName !== 'string' || serviceName === '')) {
    optionError(OWNER, `serviceName must be a non-empty string, got ${shown(serviceName)}.`);
  }
  optional(OWNER, options, 'serviceInstanceId', IS.nonEmptyString);
  optional(OWNER, options, 'registerGlobals', IS.boolean);
  optional(OWNER, options, 'disabled', IS.boolean);
  const resource = readOption(OWNER, options, 'resource');
  if (resource !== undefined && (typeof resource !== 'object' || resource === null)) {
    optionError(
      OWNER,
      `resource must be a Resource or an attributes object, got ${shown(resource)}.`,
    );
  }
  optionalWith(OWNER, options, 'sampler', 'shouldSample');
  checkSpanLimits(readOption(OWNER, options, 'spanLimits'));
  optionalWith(OWNER, options, 'propagator', 'extract');
  oneOf(options, 'exemplarFilter', ['always_on', 'always_off', 'trace_based'], 'exemplarFilter');
  optional(OWNER, options, 'onError', IS.function);
  milliseconds(options, 'shutdownTimeoutMs', 'shutdownTimeoutMs');
  const prometheus = readOption(OWNER, options, 'prometheus');
  if (prometheus !== undefined && prometheus !== false) {
    const owner = `${OWNER}: prometheus`;
    const prom = optionsObject(owner, prometheus);
    optional(owner, prom, 'host', IS.nonEmptyString);
    optional(owner, prom, 'endpoint', IS.string);
    optional(owner, prom, 'listen', IS.boolean);
    const naming = readOption(owner, prom, 'naming');
    if (naming !== undefined && naming !== 'opentelemetry' && naming !== 'unsuffixed') {
      optionError(
        OWNER,
        `prometheus.naming must be 'opentelemetry' or 'unsuffixed', got ${shown(naming)}.`,
      );
    }
    const port = readOption(owner, prom, 'port');
    if (
      port !== undefined &&
      !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65_535)
    ) {
      optionError(OWNER, `prometheus.port must be an integer 0..65535, got ${shown(port)}.`);
    }
  }
  const health = readOption(OWNER, options, 'health');
  if (health !== undefined) {
    const h = optionsObject(`${OWNER}: health`, health);
    const n = readOption(`${OWNER}: health`, h, 'exportFailuresUntilUnready');
    if (n !== undefined && !(Number.isInteger(n) && (n as number) >= 1)) {
      optionError(
        OWNER,
        `health.exportFailuresUntilUnready must be a whole number of at least 1, got ${shown(n)}.`,
      );
    }
  }
  const otlp = readOption(OWNER, options, 'otlp');
  if (otlp !== undefined && otlp !== false) {
    const owner = `${OWNER}: otlp`;
    const o = optionsObject(owner, otlp);
    optional(owner, o, 'metricsUrl', IS.string);
    optional(owner, o, 'tracesUrl', IS.string);
    optional(owner, o, 'endpoint', IS.string);
    oneOf(o, 'protocol', ['http/protobuf', 'http/json', 'grpc'], 'otlp.protocol');
    oneOf(o, 'compression', ['gzip', 'none'], 'otlp.compression');
    const headers = readOption(owner, o, 'headers');
    if (
      headers !== undefined &&
      (typeof headers !== 'object' ||
        headers === null ||
        Object.values(headers).some((v) => typeof v !== 'string'))
    ) {
      optionError(OWNER, `otlp.headers must be an object of strings, got ${shown(headers)}.`);
    }
    milliseconds(o, 'intervalMs', 'otlp.intervalMs');
    milliseconds(o, 'timeoutMs', 'otlp.timeoutMs');
  }
}

function oneOf(options: object, key: string, values: readonly string[], name: string): void {
  const value = readOption(OWNER, options, key);
  if (value === undefined || values.includes(value as string)) return;
  optionError(OWNER, `${name} must be one of ${values.join(', ')}, got ${shown(value)}.`);
}

function milliseconds(options: object, key: string, name: string): void {
  const value = readOption(OWNER, options, key);
  if (value === undefined || IS.positive[0](value)) return;
  optionError(OWNER, `${name} must be a positive number of milliseconds, got ${shown(value)}.`);
}
