import {
  counter,
  type Metric,
  type MetricSnapshot,
  MetricsRecorder,
  MetricsRuntime,
  MetricsWiringError,
  type MetricUpdate,
} from '@mvx-metrics/core';
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

// Issue 18, item 3: every string that becomes a label, an attribute or a series' identity
// (recorder names, attribute keys and values of built-in and hand-written metrics, `initial`
// sets) goes through core's one rule, so two inputs never print as one series: they are one
// series (merged, totals kept) or refused at wiring time (recorder names).

const python = findOpenMetricsParser();
const promtool = findBinary('promtool');
const ACCEPT = 'application/openmetrics-text;version=1.0.0';

// Units that make strings print alike: lone high and low surrogates, a valid pair, NUL, U+FFFD
// itself, characters Prometheus turns into '_' in names, escapes; and any UTF-16 unit at all.
const nastyUnit = fc.constantFrom(
  'a',
  'b',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\uD83D\uDE00',
  '\u0000',
  '\uFFFD',
  '.',
  '-',
  '_',
  '"',
  '\\',
  '\n',
);
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
// Every one of these prints as U+FFFD: strings made of them (and 'a') collide in most runs, not by luck.
const twinUnit = fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u0000', '\uFFFD');
const twin = fc.oneof(
  fc.string({ unit: twinUnit, minLength: 1, maxLength: 2 }),
  fc.tuple(fc.constantFrom('r', 'a.'), twinUnit).map(([a, b]) => a + b),
);
const text = fc.oneof(
  { weight: 3, arbitrary: twin },
  { weight: 1, arbitrary: fc.string({ unit: nastyUnit, minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: anyUnit, minLength: 1, maxLength: 3 }) },
);

// lib is ES2023; `isWellFormed` exists on Node >= 20.
const isWellFormed = (s: string): boolean =>
  (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** What a string prints as on the wire: UTF-8 turns each lone surrogate into U+FFFD; NUL is replaced too. */
const printed = (s: string): string =>
  Buffer.from(s, 'utf8').toString('utf8').replaceAll('\u0000', '\uFFFD');

interface Tagged {
  type: 'c' | 'h';
  attrs: Record<string, string>;
}

/**
 * A hand-written counter that keeps one point per raw attribute set (JSON.stringify escapes lone
 * surrogates, so `'r\ud800'` and `'r\udc00'` are two points here) and hands a fresh attributes
 * object per event, as a metric written without core's help would.
 */
class RawPoints implements Metric {
  readonly name = 'hand';
  readonly descriptor = { name: 'hand', kind: 'counter' } as const;
  private readonly points = new Map<
    string,
    { attributes: Record<string, string>; value: number }
  >();

  handleEvent(event: object, update?: MetricUpdate): boolean {
    const e = event as Partial<Tagged>;
    if (e.type !== 'h' || e.attrs === undefined) return false;
    const id = JSON.stringify(Object.entries(e.attrs));
    let point = this.points.get(id);
    if (point === undefined) {
      point = { attributes: { ...e.attrs }, value: 0 };
      this.points.set(id, point);
    }
    point.value++;
    if (update !== undefined) {
      update.attributes = { ...e.attrs };
      update.value = 1;
    }
    return true;
  }

  snapshot(): MetricSnapshot {
    return {
      name: this.name,
      kind: 'counter',
      points: [...this.points.values()].map((p) => ({
        attributes: { ...p.attributes },
        value: p.value,
      })),
    };
  }
}

const attributeSet = fc.dictionary(text, text, { minKeys: 0, maxKeys: 2 });
const scenario = fc.record({
  names: fc.array(text, { minLength: 2, maxLength: 4 }),
  recorderAttribute: text,
  initial: attributeSet,
  events: fc.array(fc.record({ type: fc.constantFrom('c', 'h'), attrs: attributeSet }), {
    minLength: 1,
    maxLength: 12,
  }),
});

/** Fails when two samples print with the same name and labels; returns the sum of `name`'s samples. */
function oneLinePerSeries(
  samples: { name: string; labels: Record<string, string>; value: number }[],
  totalOf: string,
): number {
  const seen = new Set<string>();
  let total = 0;
  for (const sample of samples) {
    const id = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    expect(seen.has(id), `printed twice: ${id}`).toBe(false);
    seen.add(id);
    if (sample.name === totalOf) total += sample.value;
  }
  return total;
}

interface OtlpPoint {
  attributes?: { key: string; value: { stringValue?: string } }[];
  asDouble?: number;
  asInt?: string;
}
interface OtlpMetric {
  name: string;
  sum?: { dataPoints: OtlpPoint[] };
}

/** The OTLP/protobuf payload the exporter would send, decoded with OpenTelemetry's own definitions. */
async function otlpMetrics(reader: TestReader): Promise<OtlpMetric[]> {
  const bytes = ProtobufMetricsSerializer.serializeRequest(await reader.read());
  if (bytes === undefined) throw new Error('the OTLP serializer refused the collection');
  const decoded = decodeOtlp('metrics', bytes) as {
    resourceMetrics: { scopeMetrics?: { metrics?: OtlpMetric[] }[] }[];
  };
  return decoded.resourceMetrics.flatMap((r) =>
    (r.scopeMetrics ?? []).flatMap((s) => s.metrics ?? []),
  );
}

describe('distinct inputs never print as one series (issue 18, item 3)', () => {
  let pipeline: OtelPipeline;
  let reader: TestReader;
  let run = 0;

  beforeAll(async () => {
    pipeline = await createOtelPipeline({
      serviceName: 'identity',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: false,
      registerGlobals: false,
    });
    // What the pipeline's OTLP reader collects: the same producer, in a reader the test drives.
    reader = new TestReader([pipeline.metricProducer]);
    new MeterProvider({ readers: [reader] });
  });
  afterAll(async () => {
    await pipeline?.shutdown();
  });

  it('merges or refuses, never duplicates: recorder names, keys, values, initial sets, hand-written points — in text, OpenMetrics and OTLP', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ names, recorderAttribute, initial, events }) => {
        const namespace = `s${++run}`;
        const runtime = new MetricsRuntime({ namespace, onError: () => {} });
        runtime.start();
        const bridge = attachOtelBridge(runtime, {
          meterProvider: pipeline.meterProvider,
          exemplarFilter: 'always_on',
        });
        const metrics = () => [
          counter<Tagged>({ name: 'c', on: 'c', attributes: (e) => e.attrs, initial: [initial] }),
          new RawPoints(),
        ];
        // The same names as recorders of no runtime, each with a bridge of its own into a second
        // namespace: nothing refuses them there, so names that print alike must be one series.
        const standalone = names.map((name) => {
          const recorder = new MetricsRecorder(name, { metrics: metrics(), onError: () => {} });
          const attached = attachOtelBridge(recorder, {
            meterProvider: pipeline.meterProvider,
            namespace: `${namespace}x`,
            recorderAttribute,
            exemplarFilter: 'always_on',
          });
          recorder.start();
          return { recorder, attached };
        });
        try {
          const taken = new Set<string>();
          const recorders: MetricsRecorder[] = [];
          for (const name of names) {
            const clash = taken.has(printed(name));
            let created: ReturnType<MetricsRuntime['createRecorder']> | undefined;
            let refused: unknown;
            try {
              created = runtime.createRecorder(name, { metrics });
            } catch (error) {
              refused = error;
            }
            // A name that prints like a taken one is a name clash, refused at wiring time.
            expect(refused === undefined, `createRecorder(${JSON.stringify(name)})`).toBe(!clash);
            if (refused !== undefined) {
              expect(refused).toBeInstanceOf(MetricsWiringError);
              expect((refused as MetricsWiringError).code).toBe('recorder-name-taken');
              continue;
            }
            taken.add(printed(name));
            recorders.push(created as NonNullable<typeof created>);
          }
          const all = [...recorders, ...standalone.map((s) => s.recorder)];
          for (const recorder of all) {
            for (const event of events) recorder.registerEvent({ ...event });
            await recorder.flush();
          }
          const url = pipeline.prometheusUrl as string;
          const textBody = await (await fetch(url)).text();
          const omBody = await (await fetch(url, { headers: { accept: ACCEPT } })).text();
          if (promtool !== undefined) expect(promtoolFindings(promtool, textBody)).toEqual([]);
          const families = python === undefined ? undefined : parseOpenMetrics(python, omBody);
          const otlp = await otlpMetrics(reader);

          for (const [ns, count] of [
            [namespace, recorders.length],
            [`${namespace}x`, standalone.length],
          ] as const) {
            const expected = {
              c: count * events.filter((e) => e.type === 'c').length,
              hand: count * events.filter((e) => e.type === 'h').length,
            };
            const textSamples = parseSamples(textBody).filter((s) => s.name.startsWith(`${ns}_`));
            expect(oneLinePerSeries(textSamples, `${ns}_c_total`)).toBe(expected.c);
            expect(oneLinePerSeries(textSamples, `${ns}_hand_total`)).toBe(expected.hand);
            if (families !== undefined) {
              const omSamples = families
                .filter((f) => f.name.startsWith(`${ns}_`))
                .flatMap((f) => f.samples);
              expect(oneLinePerSeries(omSamples, `${ns}_c_total`)).toBe(expected.c);
              expect(oneLinePerSeries(omSamples, `${ns}_hand_total`)).toBe(expected.hand);
            }
            for (const [metric, total] of [
              [`${ns}.c`, expected.c],
              [`${ns}.hand`, expected.hand],
            ] as const) {
              const exported = otlp.filter((m) => m.name === metric);
              expect(exported.length).toBeLessThanOrEqual(1);
              const seen = new Set<string>();
              let sum = 0;
              for (const point of exported[0]?.sum?.dataPoints ?? []) {
                const pairs = (point.attributes ?? []).map((a) => [a.key, a.value.stringValue]);
                // Valid UTF-8 on the wire (a collector refuses a string field that is not):
                // the decoded strings are then exactly what the collector reads.
                for (const text of pairs.flat()) expect(isWellFormed(text ?? '')).toBe(true);
                const keys = pairs.map(([key]) => key);
                expect(new Set(keys).size, `one key twice in ${JSON.stringify(keys)}`).toBe(
                  keys.length,
                );
                const id = JSON.stringify(pairs.sort());
                expect(seen.has(id), `OTLP point exported twice: ${metric} ${id}`).toBe(false);
                seen.add(id);
                sum += point.asDouble ?? Number(point.asInt ?? 0);
              }
              expect(sum).toBe(total);
            }
          }
        } finally {
          for (const { recorder, attached } of standalone) {
            attached.detach();
            await recorder.stop();
          }
          bridge.detach();
          await runtime.shutdown();
        }
      }),
      {
        numRuns: process.env.CI === 'true' ? 60 : 30,
        // The example: names, keys and values that differ only in lone surrogates.
        examples: [
          [
            {
              names: ['r\uD800', 'r\uDC00'],
              recorderAttribute: 'rec\uDC00',
              initial: { 'k\uD800': 'v\uDC00' },
              events: [
                { type: 'c', attrs: { 'k\uDC00': 'v\uD800' } },
                { type: 'h', attrs: { k: 'r\uD800', 'rec\uD800': 'x' } },
                { type: 'h', attrs: { k: 'r\uDC00' } },
              ],
            },
          ],
        ],
      },
    );
  }, 300_000);

  it('refuses namespaces, metric names and bridge namespaces that are not OpenTelemetry instrument names (lone surrogates included)', () => {
    const withLoneSurrogate = fc
      .tuple(text, fc.constantFrom('\uD800', '\uDC00', '\uDBFF\uDBFF'), text)
      .map(([a, s, b]) => `a${a}${s}${b}`);
    fc.assert(
      fc.property(withLoneSurrogate, (name) => {
        expect(() => new MetricsRuntime({ namespace: name })).toThrow(MetricsWiringError);
        expect(() => counter({ name, on: 'c' })).toThrow(MetricsWiringError);
        const recorder = new MetricsRuntime({ namespace: 'ok' }).createRecorder('r');
        expect(() =>
          attachOtelBridge(recorder, { meterProvider: pipeline.meterProvider, namespace: name }),
        ).toThrow(MetricsWiringError);
      }),
      { numRuns: 100 },
    );
  });
});
