import { isHeaderName } from '../internal/http-headers.js';
import { headerListSecrets, Redactor, urlSecrets } from '../internal/redact.js';

const VARIABLES = ['', 'METRICS_', 'TRACES_'].flatMap((infix) => [
  [`OTEL_EXPORTER_OTLP_${infix}HEADERS`, headerListSecrets],
  [`OTEL_EXPORTER_OTLP_${infix}ENDPOINT`, urlSecrets],
]) as ReadonlyArray<readonly [string, (text: string) => string[]]>;

/**
 * The redactor of one pipeline: it knows the secrets its configuration holds (header values and
 * endpoint credentials and queries, from options and from the `OTEL_EXPORTER_OTLP_*` variables
 * the exporters read) and hides them, and any URL credentials, in everything the pipeline
 * reports or throws. Reads `options` before they are checked, so it never throws.
 */
export function pipelineRedactor(options: unknown): Redactor {
  const secrets: string[] = [];
  for (const [name, parts] of VARIABLES) {
    const value = process.env[name];
    if (typeof value === 'string' && value !== '') secrets.push(...parts(value));
  }
  const otlp = read(options, 'otlp');
  for (const key of ['endpoint', 'metricsUrl', 'tracesUrl']) {
    const value = read(otlp, key);
    if (typeof value === 'string') secrets.push(...urlSecrets(value));
  }
  const headers = read(otlp, 'headers');
  if (typeof headers === 'object' && headers !== null) {
    for (const key of ownKeys(headers)) {
      const value = read(headers, key);
      // A name written with its value (`'Authorization: Bearer …'`) holds the secret too.
      if (!isHeaderName(key)) secrets.push(key);
      if (typeof value === 'string') secrets.push(value, value.trim());
    }
  }
  return new Redactor(secrets);
}

function read(object: unknown, key: string): unknown {
  if (typeof object !== 'object' || object === null) return undefined;
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function ownKeys(object: object): string[] {
  try {
    return Object.keys(object);
  } catch {
    return [];
  }
}
