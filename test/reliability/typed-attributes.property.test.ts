import { counter, MetricsRuntime, type NumberPoint } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestReader } from '../bridge/helpers.js';
import { decodeOtlp } from '../bridge/otlp-protos.js';
import { findOpenMetricsParser, parseOpenMetrics } from '../support/openmetrics.js';
import { findBinary, parseSamples, promtoolFindings } from '../support/prometheus.js';

// Issue 21, item 3, attacked generatively: attribute sets of mixed types (numbers of every kind,
// booleans, strings that print like numbers and booleans, bigints, objects with toJSON/toString)
// under keys that include every Object.prototype name. Over OTLP each value keeps its type (int64
// for integers in range, else double, as sdk-metrics encodes its own), /metrics never prints a
// series twice (values that print alike merge), and every total is exact.

const python = findOpenMetricsParser();
const promtool = findBinary('promtool');
const ACCEPT = 'application/openmetrics-text;version=1.0.0';

type Value = string | number | boolean;

const KEYS = [...Object.getOwnPropertyNames(Object.prototype), 'http.response.status_code', 'ok'];

// Values that print alike on /metrics but are distinct OTLP values: drawn often, so most runs put
// two of one group under one key (the clash the bridge must merge on /metrics and keep over OTLP).
const twins = fc.constantFrom<unknown>(
  200,
  '200',
  true,
  'true',
  false,
  'false',
  0,
  -0,
  '0',
  1e21,
  '1e+21',
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  'null',
);
const rawValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: twins },
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(413, 2 ** 53 + 2, 2 ** 63, -(2 ** 63), 0.1 + 0.2, -1e21),
  fc.double(),
  fc.constantFrom('413', 'NaN', 'x', '-0'),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.constantFrom(undefined, null),
  // Objects are strings, their JSON (`{ toJSON }` prints like 200 and '200'); that each is read
  // once is read-once.test.ts' business.
  fc
    .constantFrom('toJSON', 'toString')
    .map((kind) => (kind === 'toJSON' ? { toJSON: () => 200 } : { toString: () => '200', n: 1 })),
);
// Mostly two keys (so sets meet), sometimes any Object.prototype name.
const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('code', 'http.response.status_code', 'ok') },
  fc.constantFrom(...KEYS),
);

const anySet = fc
  .uniqueArray(fc.tuple(key, rawValue), {
    selector: ([name]) => name,
    maxLength: 3,
  })
  .map((entries) => {
    const out: Record<string, unknown> = {};
    // Defined, never assigned: `__proto__` is an own attribute here, not the prototype.
    for (const [name, value] of entries) {
      Object.defineProperty(out, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  });
// Most sets have the one key, so that values of a twin group meet in one metric in most runs.
const rawSet = fc.oneof(
  // (`code` prints as it is; `http.response.status_code` is relabelled first, a second path.)
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom('code', 'http.response.status_code'), rawValue)
      .map(([name, value]) => ({ [name]: value })),
  },
  { weight: 2, arbitrary: anySet },
);

/** Core's rule for the values generated here, written out independently of the code. */
function model(raw: Record<string, unknown>): [string, Value][] {
  const out: [string, Value][] = [];
  for (const name of Object.keys(raw)) {
    const value = raw[name];
    if (value === undefined || value === null) continue;
    if (typeof value === 'number') out.push([name, value === 0 ? 0 : value]);
    else if (typeof value === 'string' || typeof value === 'boolean') out.push([name, value]);
    else if (typeof value === 'bigint') out.push([name, String(value)]);
    else out.push([name, JSON.stringify(value)]);
  }
  return out;
}

/** What a typed value looks like over OTLP (sdk-metrics' protobuf rule). */
function otlpText(value: Value): string {
  if (typeof value === 'string') return `string:${value}`;
  if (typeof value === 'boolean') return `bool:${value}`;
  return Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63
    ? `int:${BigInt(value)}`
    : `double:${value}`;
}

/** The label name exporter-prometheus gives a key (none of KEYS starts with a digit or clashes). */
const labelName = (key: string): string => key.replace(/[^a-z0-9_]/gi, '_').replace(/_{2,}/g, '_');
/** The label text exporter-prometheus gives a value. */
const labelText = (value: Value): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

const sorted = (entries: [string, string][]): string =>
  JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

interface OtlpPoint {
  attributes?: {
    key: string;
    value: { stringValue?: string; boolValue?: boolean; intValue?: string; doubleValue?: number };
  }[];
  asDouble?: number;
}

function decodedText(value: NonNullable<OtlpPoint['attributes']>[number]['value']): string {
  if (value.stringValue !== undefined) return `string:${value.stringValue}`;
  if (value.boolValue !== undefined) return `bool:${value.boolValue}`;
  if (value.intValue !== undefined) return `int:${value.intValue}`;
  if (value.doubleValue !== undefined) return `double:${value.doubleValue}`;
  return 'none';
}

describe('typed attributes, generatively (issue 21, item 3)', () => {
  let pipeline: OtelPipeline;
  let reader: TestReader;
  let run = 0;

  beforeAll(async () => {
    pipeline = await createOtelPipeline({
      serviceName: 'typed',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: false,
      registerGlobals: false,
    });
    // What the pipeline's OTLP reader would collect: the same producer, read by the test.
    reader = new TestReader([pipeline.metricProducer]);
    new MeterProvider({ readers: [reader] });
  });
  afterAll(async () => {
    await pipeline?.shutdown();
  });

  it('keeps each value its type over OTLP, never prints a /metrics series twice, and keeps every total exact', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rawSet, { minLength: 1, maxLength: 14 }), async (sets) => {
        const namespace = `t${++run}`;
        const errors: unknown[] = [];
        const runtime = new MetricsRuntime({ namespace, onError: (e) => errors.push(e) });
        runtime.start();
        const bridge = attachOtelBridge(runtime, {
          meterProvider: pipeline.meterProvider,
          recorderAttribute: false,
        });
        try {
          const recorder = runtime.createRecorder('r', {
            metrics: () => [
              counter<{ attrs: Record<string, unknown> }>({
                name: 'c',
                on: 'e',
                attributes: (e) => e.attrs,
              }),
            ],
          });
          for (const attrs of sets) recorder.registerEvent({ type: 'e', attrs });
          await recorder.flush();

          // Core: the points' values are strings, numbers (never -0) or booleans; the total is exact.
          const points = recorder.getMetricSnapshots()[0]?.points as NumberPoint[];
          let total = 0;
          const coreSeries = new Map<string, number>();
          for (const point of points) {
            total += point.value;
            const entries: [string, string][] = [];
            for (const [key, value] of Object.entries(point.attributes)) {
              expect(['string', 'number', 'boolean']).toContain(typeof value);
              expect(Object.is(value, -0)).toBe(false);
              entries.push([key, otlpText(value)]);
            }
            const id = sorted(entries);
            expect(coreSeries.has(id), `two core points ${id}`).toBe(false);
            coreSeries.set(id, point.value);
          }
          expect(total).toBe(sets.length);
          // Exactly the points of the model: one per typed set (a number given is a number stored).
          const modelSeries = new Map<string, number>();
          for (const set of sets) {
            const id = sorted(model(set).map(([name, value]) => [name, otlpText(value)]));
            modelSeries.set(id, (modelSeries.get(id) ?? 0) + 1);
          }
          expect(coreSeries).toEqual(modelSeries);

          // OTLP/protobuf, decoded with OpenTelemetry's definitions: the same typed series.
          const bytes = ProtobufMetricsSerializer.serializeRequest(await reader.read());
          if (bytes === undefined) throw new Error('the OTLP serializer refused the collection');
          const decoded = decodeOtlp('metrics', bytes) as {
            resourceMetrics: {
              scopeMetrics?: {
                scope: { name: string };
                metrics?: { name: string; sum?: { dataPoints: OtlpPoint[] } }[];
              }[];
            }[];
          };
          const metric = decoded.resourceMetrics
            .flatMap((r) => r.scopeMetrics ?? [])
            .filter((s) => s.scope.name === namespace)
            .flatMap((s) => s.metrics ?? [])
            .find((m) => m.name === `${namespace}.c`);
          const otlpSeries = new Map<string, number>();
          for (const point of metric?.sum?.dataPoints ?? []) {
            const id = sorted(
              (point.attributes ?? []).map(({ key, value }) => [key, decodedText(value)]),
            );
            expect(otlpSeries.has(id), `two OTLP points ${id}`).toBe(false);
            otlpSeries.set(id, point.asDouble ?? Number.NaN);
          }
          expect(otlpSeries).toEqual(coreSeries);

          // /metrics: one line per label set, each the sum of the points that print as it.
          const url = pipeline.prometheusUrl as string;
          const text = await (await fetch(url)).text();
          const family = `${namespace}_c_total`;
          const printed = new Map<string, number>();
          for (const point of points) {
            const id = sorted(
              Object.entries(point.attributes).map(([k, v]) => [labelName(k), labelText(v)]),
            );
            printed.set(id, (printed.get(id) ?? 0) + point.value);
          }
          // The text format (exporter-prometheus' serializer) and OpenMetrics (the bridge's own).
          const om = await (await fetch(url, { headers: { accept: ACCEPT } })).text();
          const omText = om
            .split('\n')
            .filter((line) => line !== '# EOF')
            .map((line) => line.replace(/ # \{.*$/, ''))
            .join('\n');
          for (const body of [text, omText]) {
            const lines = new Map<string, number>();
            for (const sample of parseSamples(body).filter((s) => s.name === family)) {
              const labels = Object.entries(sample.labels).filter(
                ([k]) => !k.startsWith('otel_scope_'),
              );
              const id = sorted(labels);
              expect(lines.has(id), `printed twice: ${id}`).toBe(false);
              lines.set(id, sample.value);
            }
            expect(lines).toEqual(printed);
          }
          if (promtool !== undefined) expect(promtoolFindings(promtool, text)).toEqual([]);
          if (python !== undefined) {
            const parsed = parseOpenMetrics(python, om).find((f) => f.name === `${namespace}_c`);
            expect(parsed?.samples.reduce((n, s) => n + s.value, 0)).toBe(sets.length);
          }
          expect(errors).toEqual([]);
        } finally {
          bridge.detach();
          await runtime.shutdown();
        }
      }),
      {
        numRuns: process.env.CI === 'true' ? 60 : 30,
        // The family in full first: every twin group meeting under one key.
        examples: [
          [
            [
              Number.NaN,
              Number.POSITIVE_INFINITY,
              Number.NEGATIVE_INFINITY,
              'null',
              200,
              '200',
              { toJSON: () => 200 },
              -0,
              0,
              '0',
              true,
              'true',
              1e21,
              '1e+21',
              2 ** 63,
              12n,
            ].flatMap((value) => [{ code: value }, { 'http.response.status_code': value }]),
          ],
        ],
      },
    );
  }, 300_000);
});
