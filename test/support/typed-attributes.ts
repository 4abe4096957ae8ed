import { expect } from 'vitest';
import type { Sample } from './prometheus.js';

// Issue 21, item 3: the data and the readers of the typed-attributes comparisons with sdk-metrics'
// own instruments (test/bridge/typed-attributes.test.ts, and each OpenTelemetry line's consumer test).

export type Value = string | number | boolean;
export type Attrs = Record<string, Value>;

/** One attribute value as OTLP carries it: the AnyValue field that is set, and its text. */
export type Typed = readonly [kind: 'string' | 'bool' | 'int' | 'double', text: string];

interface JsonPoint {
  attributes?: {
    key: string;
    value: { stringValue?: string; boolValue?: boolean; intValue?: string; doubleValue?: number };
  }[];
  asDouble?: number;
  asInt?: string;
  count?: string;
  sum?: number;
}

function typed(value: NonNullable<JsonPoint['attributes']>[number]['value']): Typed {
  if (value.stringValue !== undefined) return ['string', value.stringValue];
  if (value.boolValue !== undefined) return ['bool', String(value.boolValue)];
  if (value.intValue !== undefined) return ['int', String(value.intValue)];
  if (value.doubleValue !== undefined) return ['double', String(value.doubleValue)];
  throw new Error(`no value set in ${JSON.stringify(value)}`);
}

/** A point's identity over OTLP: its attributes with their OTLP types, sorted by key. */
export function otlpIdentity(point: JsonPoint): string {
  const entries = (point.attributes ?? []).map(({ key, value }) => [key, ...typed(value)]);
  return JSON.stringify(entries.sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)));
}

/** What OTLP gives an attribute value: int64 for integers in its range, else a double (sdk-metrics' rule). */
export function expectedTyped(value: Value): Typed {
  if (typeof value === 'string') return ['string', value];
  if (typeof value === 'boolean') return ['bool', String(value)];
  return Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63
    ? ['int', BigInt(value).toString()]
    : ['double', String(value)];
}

/** Series of one metric in a decoded OTLP request: identity → value (a sum's, or a histogram's count/sum). */
export function otlpSeries(body: unknown, scope: string, name: string): Map<string, string> {
  const request = body as {
    resourceMetrics: {
      scopeMetrics?: {
        scope: { name: string };
        metrics?: {
          name: string;
          sum?: { dataPoints: JsonPoint[] };
          histogram?: { dataPoints: JsonPoint[] };
        }[];
      }[];
    }[];
  };
  const metric = request.resourceMetrics
    .flatMap((r) => r.scopeMetrics ?? [])
    .filter((s) => s.scope.name === scope)
    .flatMap((s) => s.metrics ?? [])
    .find((m) => m.name === name);
  if (metric === undefined) throw new Error(`no metric ${scope}/${name} in the OTLP request`);
  const out = new Map<string, string>();
  for (const point of metric.sum?.dataPoints ?? metric.histogram?.dataPoints ?? []) {
    const id = otlpIdentity(point);
    expect(out.has(id), `two OTLP points with the attributes ${id}`).toBe(false);
    out.set(
      id,
      metric.sum !== undefined
        ? String(point.asDouble ?? point.asInt)
        : `${point.count}/${point.sum}`,
    );
  }
  return out;
}

/** The samples of a family, with the scope's labels left out (they name the meter, not the data). */
export function seriesOf(samples: Sample[], name: string): Sample[] {
  return samples
    .filter((s) => s.name === name)
    .map((s) => {
      const labels = { ...s.labels };
      for (const key of Object.keys(labels)) if (key.startsWith('otel_scope_')) delete labels[key];
      return { ...s, labels };
    });
}

export function labelIds(samples: Sample[]): string[] {
  return samples.map((s) => JSON.stringify(Object.entries(s.labels).sort())).sort();
}

/** The label text exporter-prometheus writes for a value (PrometheusSerializer's escapeAttributeValue). */
export const exporterText = (value: Value): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

// Every value has its own text here, so sdk-metrics and exporter-prometheus give one series each.
export const DISTINCT: Attrs[] = [
  { 'http.response.status_code': 413, 'http.request.method': 'POST', ok: false },
  { 'http.response.status_code': 200, 'http.request.method': 'GET', ok: true },
  { 'http.response.status_code': 200, 'http.request.method': 'GET', ok: true },
  { ratio: 0.1 + 0.2, big: 1e21, huge: 2 ** 63, edge: -(2 ** 63), unsafe: 2 ** 53 + 2 },
  { ratio: 1.5, big: -1e-7, huge: Number.MAX_VALUE, edge: Number.MIN_VALUE, unsafe: -0 },
  { label: 'text', n: 0 },
];

// 200 and '200' are two attribute sets for OpenTelemetry and one label set for Prometheus.
export const CLASHING: Attrs[] = [
  { code: 200 },
  { code: '200' },
  { code: '200' },
  { code: true },
  { code: 'true' },
  { code: 1e21 },
  { code: '1e+21' },
  { code: Number.NaN },
  { code: Number.POSITIVE_INFINITY },
  { code: Number.NEGATIVE_INFINITY },
  { code: 'null' },
];
