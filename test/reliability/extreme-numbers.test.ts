import {
  counter,
  gauge,
  type HistogramPoint,
  histogram,
  MetricsRuntime,
  type NumberPoint,
  upDownCounter,
} from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import type { OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findBinary,
  parseSamples,
  promtoolFindings,
  repeatedFamilies,
} from '../support/prometheus.js';
import { startServedRuntime } from '../support/served-runtime.js';

// Item 6 of issue 13: a value whose addition would overflow to ±Infinity is refused and counted
// (snapshot.dropped), like NaN; state stays finite, so core, /metrics and OTLP agree.

const promtool = findBinary('promtool');

const extreme = fc.oneof(
  fc.constantFrom(
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    1e308,
    -1e308,
    Number.MIN_VALUE,
    -0,
    2 ** 53,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
  ),
  fc.double(),
);

interface Model {
  counter: number;
  upDown: number;
  gauge: number;
  sum: number;
  count: number;
  dropped: Record<string, number>;
}

/** What the README promises: a value is applied iff it is valid for the kind and the result stays finite. */
function fold(values: number[]): Model {
  const m: Model = { counter: 0, upDown: 0, gauge: 0, sum: 0, count: 0, dropped: {} };
  const drop = (name: string) => {
    m.dropped[name] = (m.dropped[name] ?? 0) + 1;
  };
  for (const v of values) {
    if (Number.isFinite(v) && v >= 0 && Number.isFinite(m.counter + v)) m.counter += v;
    else drop('inc');
    if (Number.isFinite(v) && Number.isFinite(m.upDown + v)) m.upDown += v;
    else drop('delta');
    if (Number.isFinite(v)) m.gauge = v;
    else drop('last');
    if (Number.isFinite(v) && v >= 0 && Number.isFinite(m.sum + v)) {
      m.sum += v;
      m.count++;
    } else drop('dist');
  }
  return m;
}

const metrics = () => [
  counter<{ v: number }>({ name: 'inc', on: 'x', value: (e) => e.v }),
  upDownCounter<{ v: number }>({ name: 'delta', on: 'x', value: (e) => e.v }),
  gauge<{ v: number }>({ name: 'last', on: 'x', value: (e) => e.v }),
  histogram<{ v: number }>({ name: 'dist', on: 'x', value: (e) => e.v, buckets: [0, 1] }),
];

describe('extreme numbers', () => {
  let pipeline: OtelPipeline;
  let runtime: MetricsRuntime;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ pipeline, runtime, close } = await startServedRuntime('ext', 'extreme'));
  });
  afterAll(() => close?.());

  it('refuses and counts what would overflow; core, snapshot JSON, /metrics and OTLP agree', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(extreme, { minLength: 1, maxLength: 12 }), async (values) => {
        const name = `r${n++}`;
        const recorder = runtime.createRecorder(name, { metrics });
        for (const v of values) recorder.registerEvent({ type: 'x', v });
        await recorder.flush();
        const model = fold(values);
        const snaps = Object.fromEntries(recorder.getMetricSnapshots().map((s) => [s.name, s]));
        const value = (metric: string) =>
          (snaps[metric]?.points[0] as NumberPoint | undefined)?.value;
        const hist = snaps.dist?.points[0] as HistogramPoint;
        expect([value('inc'), value('delta'), value('last'), hist.sum, hist.count]).toEqual([
          model.counter,
          model.upDown,
          model.gauge,
          model.sum,
          model.count,
        ]);
        for (const metric of ['inc', 'delta', 'last', 'dist'])
          expect(snaps[metric]?.dropped, metric).toBe(model.dropped[metric] ?? 0);
        // the snapshot survives JSON: no null where a number was
        expect(JSON.stringify(recorder.getMetricSnapshots())).not.toContain('null');

        const body = await (await fetch(pipeline.prometheusUrl as string)).text();
        expect(repeatedFamilies(body)).toEqual([]);
        if (promtool !== undefined) expect(promtoolFindings(promtool, body)).toEqual([]);
        const mine = parseSamples(body).filter((s) => s.labels.recorder === name);
        const sample = (sampleName: string) => mine.find((s) => s.name === sampleName)?.value;
        expect([
          sample('ext_inc_total'),
          sample('ext_delta'),
          sample('ext_last'),
          sample('ext_dist_sum'),
          sample('ext_dist_count'),
        ]).toEqual(
          // the text format does not carry the sign of zero
          [model.counter, model.upDown, model.gauge, model.sum, model.count].map((x) => x + 0),
        );

        const { resourceMetrics } = await pipeline.metricProducer.collect();
        for (const scope of resourceMetrics.scopeMetrics) {
          for (const metric of scope.metrics) {
            for (const point of metric.dataPoints) {
              const v = point.value as number | { sum?: number; count: number };
              for (const x of typeof v === 'number' ? [v] : [v.count, v.sum ?? 0])
                expect(Number.isFinite(x)).toBe(true);
            }
          }
        }
        await runtime.removeRecorder(name);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps series that share attributes finite when their total across recorders would overflow', async () => {
    const errors: { code: string; message: string }[] = [];
    const shared = new MetricsRuntime({ namespace: 'exts', onError: () => {} });
    shared.start();
    const bridge = attachOtelBridge(shared, {
      meterProvider: pipeline.meterProvider,
      recorderAttribute: false,
      onError: (error) => errors.push(error),
    });
    try {
      const metrics = () => [
        counter<{ v: number }>({ name: 'inc', on: 'x', value: (e) => e.v }),
        histogram<{ v: number }>({ name: 'dist', on: 'x', value: (e) => e.v, buckets: [1] }),
      ];
      for (const name of ['a', 'b']) {
        const recorder = shared.createRecorder(name, { metrics });
        recorder.registerEvent({ type: 'x', v: 1e308 });
        await recorder.flush();
      }
      const body = await (await fetch(pipeline.prometheusUrl as string)).text();
      expect(repeatedFamilies(body)).toEqual([]);
      if (promtool !== undefined) expect(promtoolFindings(promtool, body)).toEqual([]);
      const sample = (name: string) => parseSamples(body).find((s) => s.name === name)?.value;
      // one recorder's series is exported, finite, as core holds it; the overflow is reported
      expect([
        sample('exts_inc_total'),
        sample('exts_dist_sum'),
        sample('exts_dist_count'),
      ]).toEqual([1e308, 1e308, 1]);
      expect(errors.map((e) => e.code)).toContain('merge-conflict');
    } finally {
      bridge.detach();
      await shared.shutdown();
    }
  });
});
