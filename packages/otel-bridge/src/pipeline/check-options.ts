import {
  IS,
  optional,
  optionError,
  optionsObject,
  readOption,
  shown,
} from '../internal/option-checks.js';

const OWNER = 'createOtelPipeline';

/**
 * Checks the type of every option of `createOtelPipeline` before anything starts; a mistake
 * throws a MetricsWiringError naming the option. Value rules (URLs, ports) are checked where the
 * option is used.
 */
export function checkPipelineOptions(raw: unknown): void {
  const options = optionsObject(OWNER, raw ?? null);
  const serviceName = readOption(OWNER, options, 'serviceName');
  if (typeof serviceName !== 'string' || serviceName === '') {
    optionError(OWNER, `needs { serviceName: string }, got serviceName ${shown(serviceName)}.`);
  }
  optional(OWNER, options, 'serviceInstanceId', IS.nonEmptyString);
  optional(OWNER, options, 'registerGlobals', IS.boolean);
  optional(OWNER, options, 'onError', IS.function);
  milliseconds(options, 'shutdownTimeoutMs', 'shutdownTimeoutMs');
  const prometheus = readOption(OWNER, options, 'prometheus');
  if (prometheus !== undefined && prometheus !== false) {
    const owner = `${OWNER}: prometheus`;
    const prom = optionsObject(owner, prometheus);
    optional(owner, prom, 'host', IS.nonEmptyString);
    optional(owner, prom, 'endpoint', IS.string);
    const port = readOption(owner, prom, 'port');
    if (
      port !== undefined &&
      !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65_535)
    ) {
      optionError(OWNER, `prometheus.port must be an integer 0..65535, got ${shown(port)}.`);
    }
  }
  const otlp = readOption(OWNER, options, 'otlp');
  if (otlp !== undefined && otlp !== false) {
    const owner = `${OWNER}: otlp`;
    const o = optionsObject(owner, otlp);
    optional(owner, o, 'metricsUrl', IS.string);
    optional(owner, o, 'tracesUrl', IS.string);
    milliseconds(o, 'intervalMs', 'otlp.intervalMs');
    milliseconds(o, 'timeoutMs', 'otlp.timeoutMs');
  }
}

function milliseconds(options: object, key: string, name: string): void {
  const value = readOption(OWNER, options, key);
  if (value === undefined || IS.positive[0](value)) return;
  optionError(OWNER, `${name} must be a positive number of milliseconds, got ${shown(value)}.`);
}
