import type { ExportResult } from '@opentelemetry/core';
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

/** What OpenTelemetry's metric and span exporters have in common: results through a callback. */
interface CallbackExporter {
  export(items: never, done: (result: ExportResult) => void): void;
}

/**
 * `exporter` with the error of every failed export redacted before anyone sees it: the reader's
 * global error handler, a `forceFlush()` or `shutdown()` that rejects with it, and so every
 * report. An exporter's error may carry the collector's response body, an endpoint or a header.
 */
export function redactingExporter<T extends CallbackExporter>(exporter: T, redactor: Redactor): T {
  return new Proxy(exporter, {
    get(target, key) {
      const member: unknown = Reflect.get(target, key, target);
      if (key !== 'export') {
        return typeof member === 'function' ? member.bind(target) : member;
      }
      return (items: never, done: (result: ExportResult) => void) =>
        target.export(items, (result) =>
          done(
            result.error === undefined
              ? result
              : { ...result, error: redactor.error(result.error) },
          ),
        );
    },
  });
}
