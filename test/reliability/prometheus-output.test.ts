import {
  counter,
  exponentialHistogram,
  gauge,
  histogram,
  type MetricsRuntime,
  type NumberPoint,
  upDownCounter,
} from '@mvx-metrics/core';
import type { OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricOfEveryKind, REGISTERED_KINDS } from '../support/kind-fixtures.js';
import { findBinary, parseSamples, promtoolCheck, type Sample } from '../support/prometheus.js';
import { startServedRuntime } from '../support/served-runtime.js';

const promtool = findBinary('promtool');

interface Input {
  type: 'in';
  attrs: unknown;
  v: unknown;
}
const metrics = () => [
  counter<Input>({
    name: 'in.count',
    on: 'in',
    attributes: (e) => e.attrs as Record<string, unknown>,
  }),
  counter<Input>({ name: 'in.value', on: 'in', value: (e) => e.v as number }),
  upDownCounter<Input>({ name: 'in.delta', on: 'in', value: (e) => e.v as number }),
  gauge<Input>({ name: 'in.last', on: 'in', value: (e) => e.v as number }),
  histogram<Input>({
    name: 'in.dist',
    on: 'in',
    value: (e) => e.v as number,
    attributes: (e) => e.attrs as Record<string, unknown>,
    buckets: [1, 10],
  }),
  exponentialHistogram<Input>({
    name: 'in.spread',
    on: 'in',
    value: (e) => e.v as number,
    attributes: (e) => e.attrs as Record<string, unknown>,
  }),
  // and a metric of every kind in core's registry, fed the same input as it is (named by its
  // place in the registry: promtool's lint refuses a kind's name inside a metric name)
  ...metricOfEveryKind<Input>((kind) => ({
    name: `registered.k${REGISTERED_KINDS.indexOf(kind)}`,
    on: 'in',
    value: (e) => e.v as number,
    attributes: (e) => e.attrs as Record<string, unknown>,
    buckets: [1, 10],
  })),
];

const NASTY_ATTRIBUTES: Record<string, unknown>[] = [
  { q: 'say "hi"', b: 'C:\\dir\\', n: 'one\ntwo', r: 'cr\rlf' },
  { s: 'lone \uD800 surrogate', t: 'tail \uDC00', z: 'nul\u0000byte', e: '😀 ok' },
  {
    long: 'x'.repeat(10_000),
    obj: { deep: { er: [1, 2] } },
    arr: ['a', 'b'],
    u: undefined,
    nil: null,
  },
  { 'a.b': 'dot', a_b: 'underscore', 'a-b': 'dash', 'a/b': 'slash', a__b: 'double' },
  { '0starts': 'digit', '': 'empty key', ü: 'umlaut', __reserved: 'r', 'sp ace': 's' },
  { le: 'not a bucket', quantile: '0.5', otel_scope_name: 'spoof', recorder: 'spoof', job: 'j' },
  { big: 12n, n: Number.NaN, inf: Number.POSITIVE_INFINITY, bool: false },
];

describe('bad input never poisons the Prometheus output', () => {
  let pipeline: OtelPipeline;
  let runtime: MetricsRuntime;
  let close: (() => Promise<void>) | undefined;
  let recorders = 0;

  beforeAll(async () => {
    ({ pipeline, runtime, close } = await startServedRuntime('rel', 'reliability'));
  });
  afterAll(() => close?.());

  async function scrape(): Promise<string> {
    const response = await fetch(pipeline.prometheusUrl as string);
    expect(response.status).toBe(200);
    return response.text();
  }

  function expectValid(body: string): Sample[] {
    if (promtool !== undefined) {
      const { status, output } = promtoolCheck(promtool, body);
      expect(output).toBe('');
      expect(status).toBe(0);
    }
    const samples = parseSamples(body); // throws on a duplicate label
    for (const sample of samples) expect(Number.isFinite(sample.value)).toBe(true);
    const keys = samples.map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`);
    expect(new Set(keys).size).toBe(keys.length);
    return samples;
  }

  it('exports finite values equal to core state and a body promtool accepts, after every kind of bad input', async () => {
    const recorder = runtime.createRecorder(`bad-${recorders++}`, { metrics });
    for (const bad of [
      null,
      undefined,
      'str',
      42,
      Object.freeze({ type: 'in', attrs: {}, v: 1 }),
    ]) {
      recorder.registerEvent(bad as object);
    }
    const badValues = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      'str',
      5n,
      undefined,
      -2,
    ];
    for (const v of badValues) recorder.registerEvent({ type: 'in', attrs: {}, v });
    for (const attrs of NASTY_ATTRIBUTES) recorder.registerEvent({ type: 'in', attrs, v: 3 });
    await recorder.flush();

    const samples = expectValid(await scrape());
    // what OTLP readers get (the producer, original keys) is finite too
    const { resourceMetrics, errors } = await pipeline.metricProducer.collect();
    expect(errors).toEqual([]);
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const point of metric.dataPoints) {
          const v = point.value as number | { sum?: number; count: number };
          const numbers = typeof v === 'number' ? [v] : [v.count, v.sum ?? 0];
          for (const n of numbers) expect(Number.isFinite(n)).toBe(true);
        }
      }
    }
    const mine = samples.filter((s) => s.labels.recorder === recorder.name);
    // every kind in core's registry is printed, its bad input refused like the others'
    for (const kind of REGISTERED_KINDS) {
      expect(
        mine.some((s) =>
          new RegExp(`^rel_registered_k${REGISTERED_KINDS.indexOf(kind)}(_|$)`).test(s.name),
        ),
        kind,
      ).toBe(true);
    }
    const sum = (name: string) =>
      mine.filter((s) => s.name === name).reduce((total, s) => total + s.value, 0);
    const snap = Object.fromEntries(recorder.getMetricSnapshots().map((s) => [s.name, s]));
    const coreSum = (name: string) =>
      (snap[name]!.points as NumberPoint[]).reduce((total, p) => total + p.value, 0);
    // one frozen event + 7 bad values + 7 nasty sets, every one counted by in.count
    expect(sum('rel_in_count_total')).toBe(coreSum('in.count'));
    expect(coreSum('in.count')).toBe(15);
    expect(sum('rel_in_value_total')).toBe(coreSum('in.value'));
    expect(coreSum('in.value')).toBe(1 + 7 * 3);
    expect(sum('rel_in_delta')).toBe(1 - 2 + 7 * 3);
    expect(sum('rel_in_last')).toBe(3);
    expect(sum('rel_in_dist_count')).toBe(8);
    expect(sum('rel_in_dist_sum')).toBe(1 + 7 * 3);
    // the exponential histogram counts the negative value too; its one bucket is +Inf
    expect(sum('rel_in_spread_count')).toBe(9);
    expect(sum('rel_in_spread_sum')).toBe(1 - 2 + 7 * 3);
    const spreadBuckets = mine.filter((s) => s.name === 'rel_in_spread_bucket');
    expect(spreadBuckets.map((s) => s.labels.le)).toEqual(spreadBuckets.map(() => '+Inf'));
    expect(spreadBuckets.reduce((total, s) => total + s.value, 0)).toBe(9);
    // every nasty set is one series of its own (none merged away, none doubled)
    expect(mine.filter((s) => s.name === 'rel_in_count_total')).toHaveLength(
      snap['in.count']!.points.length,
    );
  });

  it('maps attribute keys to distinct, valid labels: sanitised, key_ prefixed, merged with ";" when they collide', async () => {
    const recorder = runtime.createRecorder(`keys-${recorders++}`, { metrics });
    recorder.registerEvent({ type: 'in', attrs: NASTY_ATTRIBUTES[3], v: 1 });
    recorder.registerEvent({ type: 'in', attrs: NASTY_ATTRIBUTES[4], v: 1 });
    recorder.registerEvent({ type: 'in', attrs: { le: 'mine', ok: 'yes' }, v: 1 });
    await recorder.flush();
    const samples = expectValid(await scrape()).filter((s) => s.labels.recorder === recorder.name);
    const counts = samples.filter((s) => s.name === 'rel_in_count_total').map((s) => s.labels);
    expect(counts).toContainEqual({
      a_b: 'dash;dot;slash;double;underscore', // ordered by original key: a-b a.b a/b a__b a_b
      recorder: recorder.name,
      otel_scope_name: 'rel',
    });
    expect(counts).toContainEqual({
      key_0starts: 'digit',
      key_: 'empty key',
      _: 'umlaut',
      _reserved: 'r',
      sp_ace: 's',
      recorder: recorder.name,
      otel_scope_name: 'rel',
    });
    // `le` belongs to histogram buckets (and promtool flags it elsewhere): a user's `le` moves aside
    expect(counts).toContainEqual({
      key_le: 'mine',
      ok: 'yes',
      recorder: recorder.name,
      otel_scope_name: 'rel',
    });
    const bucket = samples.find(
      (s) => s.name === 'rel_in_dist_bucket' && s.labels.key_le === 'mine',
    );
    expect(bucket?.labels.ok).toBe('yes');
  });

  it('merges points whose attribute sets become the same labels into one series (never a duplicate)', async () => {
    const recorder = runtime.createRecorder(`merge-${recorders++}`, { metrics });
    for (const attrs of [{ 'a.b': 'x' }, { a_b: 'x' }, { 'a-b': 'x' }, { recorder: 'spoof' }]) {
      recorder.registerEvent({ type: 'in', attrs, v: 2 });
    }
    await recorder.flush();
    const samples = expectValid(await scrape()).filter((s) => s.labels.recorder === recorder.name);
    const counts = samples.filter((s) => s.name === 'rel_in_count_total');
    expect(counts.map((s) => [s.labels.a_b, s.value])).toEqual([
      ['x', 3],
      [undefined, 1],
    ]);
    const dist = samples.filter((s) => s.name === 'rel_in_dist_count').map((s) => s.value);
    expect(dist.sort()).toEqual([1, 3]);
    expect(samples.find((s) => s.name === 'rel_in_dist_sum' && s.labels.a_b === 'x')?.value).toBe(
      6,
    );
  });

  it('passes promtool for any attribute set fast-check can think of', async () => {
    const key = fc.string({
      unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      maxLength: 6,
    });
    const value = fc.oneof(
      key,
      fc.double(),
      fc.bigInt(),
      fc.boolean(),
      fc.constant(undefined),
      fc.array(fc.integer(), { maxLength: 2 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.dictionary(key, value, { maxKeys: 4 }), { minLength: 1, maxLength: 8 }),
        async (sets) => {
          const name = `prop-${recorders++}`;
          const recorder = runtime.createRecorder(name, { metrics });
          for (const attrs of sets) recorder.registerEvent({ type: 'in', attrs, v: 1 });
          await recorder.flush();
          const samples = expectValid(await scrape()).filter((s) => s.labels.recorder === name);
          const total = samples
            .filter((s) => s.name === 'rel_in_count_total')
            .reduce((t, s) => t + s.value, 0);
          expect(total).toBe(sets.length);
          await runtime.removeRecorder(name);
        },
      ),
      { numRuns: 40 },
    );
  });
});
