import { counter, histogram, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOpenMetricsParser, parseOpenMetrics } from '../support/openmetrics.js';
import { findBinary, parseSamples, promtoolFindings } from '../support/prometheus.js';
import {
  type Attrs,
  CLASHING,
  DISTINCT,
  expectedTyped,
  exporterText,
  labelIds,
  otlpSeries,
  seriesOf,
  type Typed,
  type Value,
} from '../support/typed-attributes.js';
import { collectErrors } from './helpers.js';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';

// Issue 21, item 3: number and boolean attribute values keep their type through core and over
// OTLP, exactly as sdk-metrics exports its own instruments' attributes, and print on /metrics as
// @opentelemetry/exporter-prometheus prints them. The reference is the SDK itself: its own
// counter and histogram, created on the same pipeline's MeterProvider, get the same data.

const promtool = findBinary('promtool');
const python = findOpenMetricsParser();
const OPENMETRICS = 'application/openmetrics-text;version=1.0.0';

describe('typed attributes against sdk-metrics on one pipeline (issue 21, item 3)', () => {
  let collector: OtlpReceiver;
  let pipeline: OtelPipeline;
  let run = 0;
  const errors = collectErrors([]);
  const cleanups: Array<() => unknown> = [];

  beforeAll(async () => {
    collector = await startOtlpReceiver();
    pipeline = await createOtelPipeline({
      serviceName: 'typed-attributes',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: {
        metricsUrl: `${collector.url}/v1/metrics`,
        tracesUrl: `${collector.url}/v1/traces`,
        intervalMs: 60_000,
      },
      registerGlobals: false,
    });
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await pipeline?.shutdown();
    await collector?.close();
    expect(errors.unexpected()).toEqual([]);
  });

  /**
   * The same attribute sets into our counter and histogram (namespace `ns`, recorder attribute off)
   * and into the SDK's own counter and histogram (meter `sdk<n>`, same instrument names under that
   * prefix); returns the names to find them by, the latest OTLP request and the /metrics bodies.
   */
  async function feed(sets: readonly Attrs[]) {
    const ns = `typed${++run}`;
    const sdk = `sdk${run}`;
    const runtime = new MetricsRuntime({ namespace: ns, onError: errors.onError });
    runtime.start();
    const bridge = attachOtelBridge(runtime, {
      meterProvider: pipeline.meterProvider,
      recorderAttribute: false,
    });
    cleanups.push(() => runtime.shutdown(), bridge.detach);
    const recorder = runtime.createRecorder('r', {
      metrics: () => [
        counter<{ attrs: Attrs }>({ name: 'requests', on: 'req', attributes: (e) => e.attrs }),
        histogram<{ attrs: Attrs; ms: number }>({
          name: 'duration',
          unit: 's',
          on: 'req',
          value: (e) => e.ms,
          attributes: (e) => e.attrs,
          buckets: [10, 100],
        }),
      ],
    });
    const meter = pipeline.meterProvider.getMeter(sdk);
    const sdkCounter = meter.createCounter(`${sdk}.requests`);
    const sdkHistogram = meter.createHistogram(`${sdk}.duration`, {
      unit: 's',
      advice: { explicitBucketBoundaries: [10, 100] },
    });
    sets.forEach((attrs, i) => {
      const ms = i * 7;
      recorder.registerEvent({ type: 'req', attrs, ms });
      sdkCounter.add(1, attrs as OtelAttributes);
      sdkHistogram.record(ms, attrs as OtelAttributes);
    });
    await recorder.flush();
    const url = pipeline.prometheusUrl as string;
    const text = await (await fetch(url)).text();
    const openMetrics = await (await fetch(url, { headers: { accept: OPENMETRICS } })).text();
    await pipeline.meterProvider.forceFlush();
    const otlp = collector.bodies.get('/v1/metrics')?.at(-1);
    return { ns, sdk, recorder, text, openMetrics, otlp };
  }

  it('sends number and boolean values as OTLP int, double and bool, series for series as sdk-metrics sends its own', async () => {
    const { ns, sdk, recorder, otlp } = await feed(DISTINCT);
    // Core keeps the types (-0 is 0, as OTLP's int64 and the SDK's hashing have it).
    const points = recorder.getMetricSnapshots().find((s) => s.name === 'requests')?.points ?? [];
    expect(points.map((p) => p.attributes)).toContainEqual({
      'http.request.method': 'POST',
      'http.response.status_code': 413,
      ok: false,
    });
    expect(points.find((p) => 'unsafe' in p.attributes)?.attributes).toBeDefined();

    const ours = otlpSeries(otlp, ns, `${ns}.requests`);
    const theirs = otlpSeries(otlp, sdk, `${sdk}.requests`);
    expect(ours).toEqual(theirs);
    expect(otlpSeries(otlp, ns, `${ns}.duration`)).toEqual(
      otlpSeries(otlp, sdk, `${sdk}.duration`),
    );

    // And each value with the type sdk-metrics' rule gives it, checked value by value.
    const expected = new Set(
      DISTINCT.map((attrs) =>
        JSON.stringify(
          Object.keys(attrs)
            .sort()
            .map((key) => [
              key,
              ...expectedTyped((attrs[key] as Value) === 0 ? 0 : (attrs[key] as Value)),
            ]),
        ),
      ),
    );
    expect(new Set(ours.keys())).toEqual(expected);
    expect(
      [...ours.keys()].some((id) => id.includes('["http.response.status_code","int","413"]')),
    ).toBe(true);
  });

  it("prints on /metrics each value's text exactly as exporter-prometheus prints the SDK's own (1e21, -0, 0.1+0.2, 2^63, booleans)", async () => {
    const { ns, sdk, text, openMetrics } = await feed(DISTINCT);
    const samples = parseSamples(text);
    for (const [ours, theirs] of [
      [`${ns}_requests_total`, `${sdk}_requests_total`],
      [`${ns}_duration_seconds_bucket`, `${sdk}_duration_seconds_bucket`],
      [`${ns}_duration_seconds_sum`, `${sdk}_duration_seconds_sum`],
    ] as const) {
      const a = seriesOf(samples, ours);
      const b = seriesOf(samples, theirs);
      expect(a.length).toBeGreaterThan(0);
      expect(labelIds(a)).toEqual(labelIds(b));
      expect(a.map((s) => s.value).sort()).toEqual(b.map((s) => s.value).sort());
    }
    // The texts themselves, as the exporter's JSON.stringify writes them.
    const big = seriesOf(samples, `${ns}_requests_total`).find((s) => 'big' in s.labels)?.labels;
    expect(big).toEqual({
      big: exporterText(1e21),
      edge: exporterText(-(2 ** 63)),
      huge: '9223372036854776000',
      ratio: '0.30000000000000004',
      unsafe: '9007199254740994',
    });
    expect(
      seriesOf(samples, `${ns}_requests_total`).find((s) => s.labels.big === '-1e-7')?.labels
        .unsafe,
    ).toBe('0');
    // OpenMetrics (our writer) prints the same labels as the text format (the exporter's).
    const omSamples = parseSamples(
      openMetrics
        .split('\n')
        .filter((line) => line !== '# EOF')
        .map((line) => line.replace(/ # \{.*$/, ''))
        .join('\n'),
    );
    expect(labelIds(seriesOf(omSamples, `${ns}_requests_total`))).toEqual(
      labelIds(seriesOf(samples, `${ns}_requests_total`)),
    );
    if (promtool !== undefined) expect(promtoolFindings(promtool, text)).toEqual([]);
    if (python !== undefined) {
      const family = parseOpenMetrics(python, openMetrics).find((f) => f.name === `${ns}_requests`);
      expect(family?.samples.reduce((n, s) => n + s.value, 0)).toBe(DISTINCT.length);
    }
  });

  it("keeps 200 and '200' two OTLP attribute sets (as sdk-metrics) and prints them as one /metrics series with the sum, where the SDK prints two identical lines", async () => {
    const { ns, sdk, otlp, text, openMetrics } = await feed(CLASHING);
    const ours = otlpSeries(otlp, ns, `${ns}.requests`);
    const code = (kind: Typed[0], value: string) => JSON.stringify([['code', kind, value]]);
    expect(ours).toEqual(
      new Map([
        [code('int', '200'), '1'],
        [code('string', '200'), '2'],
        [code('bool', 'true'), '1'],
        [code('string', 'true'), '1'],
        [code('double', '1e+21'), '1'],
        [code('string', '1e+21'), '1'],
        [code('double', 'NaN'), '1'],
        [code('double', 'Infinity'), '1'],
        [code('double', '-Infinity'), '1'],
        [code('string', 'null'), '1'],
      ]),
    );
    // sdk-metrics: the same typed sets, except that its attribute hashing (JSON.stringify) makes
    // NaN, Infinity and -Infinity one set, exported with the first value it saw.
    const theirs = otlpSeries(otlp, sdk, `${sdk}.requests`);
    expect(theirs.get(code('int', '200'))).toBe('1');
    expect(theirs.get(code('string', '200'))).toBe('2');
    expect(theirs.get(code('double', 'NaN'))).toBe('3');
    expect(theirs.size).toBe(8);

    // /metrics: ours one line per label set, the sums of the sets that print alike.
    const samples = parseSamples(text);
    const mine = seriesOf(samples, `${ns}_requests_total`);
    expect(new Set(labelIds(mine)).size).toBe(mine.length);
    expect(Object.fromEntries(mine.map((s) => [s.labels.code, s.value]))).toEqual({
      '200': 3,
      true: 2,
      '1e+21': 2,
      null: 4,
    });
    // The SDK's own counter with the same data: two identical lines for 200/'200' (and the
    // others): Prometheus keeps one sample per series and scrape, so part of the total is lost.
    const sdkLines = seriesOf(samples, `${sdk}_requests_total`);
    expect(
      sdkLines
        .filter((s) => s.labels.code === '200')
        .map((s) => s.value)
        .sort(),
    ).toEqual([1, 2]);
    expect(new Set(labelIds(sdkLines)).size).toBeLessThan(sdkLines.length);
    if (promtool !== undefined) {
      // promtool 2.42 does not flag the SDK's repeated series; ours are clean either way.
      expect(promtoolFindings(promtool, text)).toEqual([]);
    }
    if (python !== undefined) {
      const families = parseOpenMetrics(python, openMetrics);
      const total = (name: string) =>
        families.find((f) => f.name === name)?.samples.reduce((n, s) => n + s.value, 0);
      expect(total(`${ns}_requests`)).toBe(CLASHING.length);
      // Python's parser keeps the first of two identical lines: the SDK's total comes out short.
      expect(total(`${sdk}_requests`)).toBeLessThan(CLASHING.length);
    }
  });
});
