import {
  getBooleanFromEnv,
  getNumberFromEnv,
  getStringFromEnv,
  getStringListFromEnv,
  parseKeyPairsIntoRecord,
} from '@opentelemetry/core';
import { OtelBridgeError } from '../errors/otel-bridge-error.js';

/**
 * Reads the standard `OTEL_*` variables with `@opentelemetry/core`'s helpers (so empty and
 * whitespace-only values mean unset, as everywhere in OpenTelemetry) and reports each invalid
 * value once, naming the variable, the value and the default used instead. Bad configuration
 * never stops the service: OpenTelemetry's rule.
 */
export class PipelineEnvironment {
  readonly problems: OtelBridgeError[] = [];
  readonly #reported = new Set<string>();

  /** Raw value, `undefined` when unset or blank. */
  string(name: string): string | undefined {
    return getStringFromEnv(name);
  }

  /** `true` only for `true` (any case), as OpenTelemetry reads booleans; other values are reported. */
  boolean(name: string): boolean {
    const raw = getStringFromEnv(name);
    if (raw === undefined) return false;
    const lower = raw.trim().toLowerCase();
    if (lower !== 'true' && lower !== 'false') this.invalid(name, raw, 'true or false', 'false');
    return getBooleanFromEnv(name);
  }

  /** A positive number (milliseconds, sizes), or `fallback` with a report. */
  positive(name: string, fallback: number | undefined): number | undefined {
    const raw = getStringFromEnv(name);
    if (raw === undefined) return fallback;
    const value = getNumberFromEnv(name);
    if (value === undefined || !Number.isFinite(value) || value <= 0) {
      this.invalid(name, raw, 'a positive number', describeDefault(fallback));
      return fallback;
    }
    return value;
  }

  /** A number within `[min, max]`, or `fallback` with a report. */
  ranged(name: string, min: number, max: number, fallback: number): number {
    const raw = getStringFromEnv(name);
    if (raw === undefined) return fallback;
    const value = getNumberFromEnv(name);
    if (value === undefined || value < min || value > max) {
      this.invalid(name, raw, `a number from ${min} to ${max}`, String(fallback));
      return fallback;
    }
    return value;
  }

  /** One of `choices`, or `fallback` with a report. */
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T;
  choice<T extends string>(
    name: string,
    choices: readonly T[],
    fallback: T | undefined,
  ): T | undefined;
  choice<T extends string>(name: string, choices: readonly T[], fallback: T | undefined) {
    const raw = getStringFromEnv(name);
    if (raw === undefined) return fallback;
    const value = raw.trim();
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.invalid(name, raw, `one of ${choices.join(', ')}`, describeDefault(fallback));
    return fallback;
  }

  /** Comma-separated list, deduplicated; `undefined` when unset. */
  list(name: string): string[] | undefined {
    const list = getStringListFromEnv(name);
    return list === undefined ? undefined : [...new Set(list)];
  }

  /** An http(s) URL, or `undefined` (the exporter's default) with a report. */
  url(name: string, fallback: string): string | undefined {
    const raw = getStringFromEnv(name);
    if (raw === undefined) return undefined;
    if (isHttpUrl(raw.trim())) return raw.trim();
    this.invalid(name, raw, 'an http(s) URL such as http://collector:4318', fallback);
    return undefined;
  }

  /** `key=value,...` as OpenTelemetry parses headers; entries it would drop are reported. */
  keyValues(name: string): void {
    const raw = getStringFromEnv(name);
    if (raw === undefined) return;
    const bad = raw
      .split(',')
      .filter((entry) => entry.trim() !== '')
      .filter((entry) => Object.keys(parseKeyPairsIntoRecord(entry)).length !== 1);
    if (bad.length > 0) {
      this.invalid(
        name,
        raw,
        'comma-separated key=value pairs (percent-encoded)',
        `the well-formed pairs only; ignored: ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
      );
    }
  }

  /** Reports `name=value` once: what was expected and what is used instead. */
  invalid(name: string, value: string, expected: string, used: string): void {
    const key = `${name}=${value}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.problems.push(
      new OtelBridgeError(
        'invalid-option',
        `createOtelPipeline: ${name}=${JSON.stringify(value)} is invalid (expected ${expected}); using ${used}.`,
      ),
    );
  }
}

/** Whether `text` parses as an http: or https: URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function describeDefault(value: unknown): string {
  return value === undefined ? 'the default' : `the default ${String(value)}`;
}
