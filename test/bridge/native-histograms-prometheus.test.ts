// A real Prometheus (Debian's 2.42, `--enable-feature=native-histograms`) scrapes the pipeline's
// /metrics: it asks for the protobuf exposition first, and reads an exponential histogram as a
// native histogram. histogram_count() must equal the observations, histogram_quantile() must fall
// within one bucket's relative error of the true quantile, and the other kinds, scraped in the same
// protobuf body, must equal core state.
import {
  counter,
  exponentialHistogram,
  gauge,
  type HistogramPoint,
  histogram,
  MetricsRuntime,
  type NumberPoint,
} from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, waitFor } from '../e2e/support/processes.js';
import { prometheusAvailable, TestPrometheus } from '../e2e/support/prometheus.js';

interface Served {
  type: 'served';
  route: string;
  seconds: number;
  bytes: number;
  skew: number;
}

/** A deterministic spread of latencies over four decades (log-uniform), zeros and negatives in `skew`. */
function observations(n: number): Served[] {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length: n }, (_, i) => ({
    type: 'served' as const,
    route: i % 3 === 0 ? '/b' : '/a',
    seconds: i % 97 === 0 ? 0 : 10 ** (-4 + 4 * random()),
    bytes: Math.round(2000 * random()),
    skew: (random() - 0.3) * 10,
  }));
}

/** Nearest-rank quantile: the value Prometheus' rank q·count falls on. */
function trueQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

/** A native histogram sample of the HTTP API: `[boundaryRule, lower, upper, count]` buckets. */
interface NativeSample {
  metric: Record<string, string>;
  histogram: [number, { count: string; sum: string; buckets?: [number, string, string, string][] }];
}

describe.skipIf(!prometheusAvailable)(
  'native histograms in a real Prometheus (protobuf scrape)',
  () => {
    let pipeline: OtelPipeline;
    let runtime: MetricsRuntime;
    let prometheus: TestPrometheus | undefined;
    let detach: () => void;
    const events = observations(3000);

    beforeAll(async () => {
      pipeline = await createOtelPipeline({
        serviceName: 'native-histograms',
        prometheus: { host: '127.0.0.1', port: 0 },
        otlp: false,
        registerGlobals: false,
      });
      runtime = new MetricsRuntime({ namespace: 'nh' });
      runtime.start();
      detach = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider }).detach;
      const recorder = runtime.createRecorder('api', {
        metrics: () => [
          exponentialHistogram<Served>({
            name: 'request.duration',
            unit: 's',
            on: 'served',
            value: (e) => e.seconds,
            attributes: (e) => ({ route: e.route }),
          }),
          exponentialHistogram<Served>({ name: 'skew', on: 'served', value: (e) => e.skew }),
          counter<Served>({
            name: 'requests',
            on: 'served',
            attributes: (e) => ({ route: e.route }),
          }),
          histogram<Served>({
            name: 'response.size',
            unit: 'By',
            on: 'served',
            value: (e) => e.bytes,
            buckets: [100, 1000],
          }),
          gauge<Served>({ name: 'last.size', unit: 'By', on: 'served', value: (e) => e.bytes }),
        ],
      });
      for (const event of events) recorder.registerEvent(event);
      await recorder.flush();
      const target = new URL(pipeline.prometheusUrl as string).host;
      prometheus = await TestPrometheus.start([target], ['native-histograms']);
    }, 30_000);

    afterAll(async () => {
      await killAll();
      prometheus?.cleanup();
      detach?.();
      await runtime?.shutdown();
      await pipeline?.shutdown();
    });

    async function native(expr: string): Promise<NativeSample[]> {
      const res = await fetch(
        `${(prometheus as TestPrometheus).url}/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      const body = (await res.json()) as { data: { result: NativeSample[] } };
      return body.data.result;
    }

    it('histogram_count() equals the observations and histogram_sum() their sum, per series', async () => {
      const p = prometheus as TestPrometheus;
      const counts = await waitFor(
        'the first protobuf scrape',
        async () => {
          const result = await p.query('histogram_count(nh_request_duration_seconds)');
          return result.length === 2 ? result : undefined;
        },
        20_000,
      );
      for (const route of ['/a', '/b']) {
        const mine = events.filter((e) => e.route === route);
        const sample = counts.find((s) => s.metric.route === route);
        expect(Number(sample?.value[1])).toBe(mine.length);
        const [sum] = await p.query(`histogram_sum(nh_request_duration_seconds{route="${route}"})`);
        const expected = mine.reduce((total, e) => total + e.seconds, 0);
        expect(Number(sum?.value[1])).toBeCloseTo(expected, 9);
      }
      // values of both signs and the zero bucket
      const [skew] = await p.query('histogram_count(nh_skew)');
      expect(Number(skew?.value[1])).toBe(events.length);
      const [below] = await p.query('histogram_fraction(-Inf, 0, nh_skew)');
      const negatives = events.filter((e) => e.skew <= 0).length / events.length;
      expect(Number(below?.value[1])).toBeCloseTo(negatives, 2);
    });

    it('histogram_quantile(0.5 and 0.99) is within one bucket of the true quantile', async () => {
      for (const route of ['/a', '/b']) {
        const [sample] = await native(`nh_request_duration_seconds{route="${route}"}`);
        const buckets = sample?.histogram[1].buckets ?? [];
        expect(buckets.length).toBeGreaterThan(10);
        // The relative width of a bucket at the scraped schema: upper / lower of any positive one.
        const positive = buckets.find(([, lower]) => Number(lower) > 0) as [
          number,
          string,
          string,
          string,
        ];
        const growth = Number(positive[2]) / Number(positive[1]);
        expect(growth).toBeGreaterThan(1);
        expect(growth).toBeLessThan(1.1); // schema >= 3 for four decades in 160 buckets
        const values = events.filter((e) => e.route === route).map((e) => e.seconds);
        for (const q of [0.5, 0.99]) {
          const [estimate] = await (prometheus as TestPrometheus).query(
            `histogram_quantile(${q}, nh_request_duration_seconds{route="${route}"})`,
          );
          const truth = trueQuantile(values, q);
          const error = Math.abs(Number(estimate?.value[1]) - truth);
          expect({ route, q, error: error <= truth * (growth - 1) * (1 + 1e-9) }).toEqual({
            route,
            q,
            error: true,
          });
        }
      }
    });

    it('scrapes the other kinds in the same protobuf body as core state says', async () => {
      const p = prometheus as TestPrometheus;
      const recorder = runtime.getRecorder('api');
      const snapshots = Object.fromEntries(
        (recorder?.getMetricSnapshots() ?? []).map((s) => [s.name, s]),
      );
      const requests = snapshots.requests?.points ?? [];
      expect(requests).toHaveLength(2);
      for (const point of requests as NumberPoint[]) {
        const [sample] = await p.query(`nh_requests_total{route="${point.attributes.route}"}`);
        expect(Number(sample?.value[1])).toBe(point.value);
      }
      const size = snapshots['response.size']?.points[0] as HistogramPoint;
      const le = async (bound: string) =>
        Number((await p.query(`nh_response_size_bytes_bucket{le="${bound}"}`))[0]?.value[1]);
      // From the protobuf exposition Prometheus writes `le` as OpenMetrics floats ("100.0"; the
      // text format's "100" stays as written): the same buckets under another label value.
      expect(await le('100.0')).toBe(size.bucketCounts[0]);
      expect(await le('1000.0')).toBe((size.bucketCounts[0] ?? 0) + (size.bucketCounts[1] ?? 0));
      expect(await le('+Inf')).toBe(size.count);
      const [count] = await p.query('nh_response_size_bytes_count');
      expect(Number(count?.value[1])).toBe(events.length);
      const [last] = await p.query('nh_last_size_bytes');
      const lastPoint = snapshots['last.size']?.points[0] as NumberPoint;
      expect(Number(last?.value[1])).toBe(lastPoint.value);
      const [info] = await p.query('target_info');
      expect(info?.metric.service_name).toBe('native-histograms');
    });
  },
);
