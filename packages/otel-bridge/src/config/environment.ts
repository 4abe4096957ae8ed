import {
  getBooleanFromEnv,
  getNumberFromEnv,
  getStringFromEnv,
  getStringListFromEnv,
  parseKeyPairsIntoRecord,
} from '@opentelemetry/core';
import { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { headerProblem } from '../internal/http-headers.js';

/**
 * Reads the standard `OTEL_*` variables with `@opentelemetry/core`'s helpers (so empty and
 * whitespace-only values mean unset, as everywhere in OpenTelemetry) and reports each invalid
 * value once, naming the variable, the value (never a header's or an endpoint's: they may hold
 * credentials) and the default used instead. Bad configuration
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

  /**
   * An http(s) URL, or `undefined` (the exporter's default) with a report that says what is wrong
   * and never shows the value (it may carry credentials or a token in its query).
   */
  url(name: string, fallback: string): string | undefined {
    const raw = getStringFromEnv(name);
    if (raw === undefined) return undefined;
    const problem = urlProblem(raw.trim());
    if (problem === undefined) return raw.trim();
    this.invalidSecret(
      name,
      raw,
      `an http(s) URL such as http://collector:4318; ${problem}`,
      fallback,
    );
    return undefined;
  }

  /**
   * `key=value,...` as OpenTelemetry parses headers: entries it would drop, and headers Node would
   * refuse to send (every export would fail), are reported by position and name, never by value.
   */
  keyValues(name: string): void {
    const raw = getStringFromEnv(name);
    if (raw === undefined) return;
    const entries = raw.split(',');
    const malformed: number[] = [];
    const refused: string[] = [];
    entries.forEach((entry, index) => {
      if (entry.trim() === '') return;
      const pairs = Object.entries(parseKeyPairsIntoRecord(entry));
      const pair = pairs[0];
      if (pairs.length !== 1 || pair === undefined) {
        malformed.push(index + 1);
        return;
      }
      const problem = headerProblem(pair[0], pair[1]);
      if (problem !== undefined) refused.push(`entry ${index + 1}: ${problem}`);
    });
    const problems: string[] = [];
    if (malformed.length > 0) {
      const which = malformed.length === 1 ? 'entry' : 'entries';
      const verb = malformed.length === 1 ? 'is' : 'are';
      problems.push(`${which} ${malformed.join(', ')} of ${entries.length} ${verb} not`);
    }
    problems.push(...refused);
    if (problems.length === 0) return;
    this.invalidSecret(
      name,
      raw,
      `comma-separated key=value pairs, percent-encoded, that Node can send as headers; ${problems.join('; ')}`,
      refused.length === 0
        ? 'the well-formed pairs only'
        : "the well-formed pairs, the refused header included (OpenTelemetry's exporter reads the variable itself): every OTLP export fails until it is fixed",
    );
  }

  /** Reports `name=value` once: what was expected and what is used instead. */
  invalid(name: string, value: string, expected: string, used: string): void {
    this.#report(name, value, `${name}=${JSON.stringify(value)}`, expected, used);
  }

  /** {@link invalid} for a value that may hold a secret (a header, a URL): the value is not shown. */
  invalidSecret(name: string, value: string, expected: string, used: string): void {
    this.#report(name, value, `${name} (value not shown)`, expected, used);
  }

  #report(name: string, value: string, shown: string, expected: string, used: string): void {
    const key = `${name}=${value}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.problems.push(
      new OtelBridgeError(
        'invalid-option',
        `createOtelPipeline: ${shown} is invalid (expected ${expected}); using ${used}.`,
      ),
    );
  }
}

/** What keeps `text` from being an http(s) URL, in words that do not quote it; `undefined` if it is one. */
export function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
      ? 'it does not parse as a URL'
      : 'it does not start with http:// or https://';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'its scheme is not http: or https:';
  }
  // The URL parser percent-encodes what a URL may not hold raw (RFC 3986) instead of refusing it:
  // a stray space or bracket in a pasted value is named here, at wiring, not sent encoded.
  const trimmed = text.trim();
  if (/[\s\p{Cc}]/u.test(trimmed)) return 'it holds a space or a control character';
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\\]*)/i.exec(trimmed)?.[1] ?? '';
  const userinfo = authority.slice(0, Math.max(0, authority.lastIndexOf('@')));
  if (/[[\]]/.test(userinfo)) return 'its user info holds [ or ], which must be percent-encoded';
  return undefined;
}

/** What a list variable is used as without its unknown names: `the others, without "a", "b"`. */
export function withoutNames(unknown: readonly string[]): string {
  return `the others, without ${unknown.map((name) => `"${name}"`).join(', ')}`;
}

function describeDefault(value: unknown): string {
  return value === undefined ? 'the default' : `the default ${String(value)}`;
}
