import { histogram, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { type HistogramMetricData, MeterProvider } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanUpAfterEach, TestReader } from './helpers.js';

// The incremental mirror of histograms (kinds/histogram.ts: begin/apply/end) against what core
// holds, on both export paths: a seeded point's min/max, and collections that never share state.

const { cleanups, errors } = cleanUpAfterEach();

interface Observed {
  type: 'observed';
  value: number;
}

type Path = 'producer' | 'instruments';

function setup(path: Path, seeded: boolean) {
  const runtime = new MetricsRuntime({ namespace: 'h', onError: errors.onError });
  runtime.start();
  const producer = createMetricProducer();
  const reader = new TestReader(path === 'producer' ? [producer] : []);
  const meterProvider = new MeterProvider({ readers: [reader] });
  const bridge = attachOtelBridge(
    runtime,
    path === 'producer' ? { metricProducer: producer } : { meterProvider },
  );
  const recorder = runtime.createRecorder('r', {
    metrics: [
      histogram({
        name: 'latency',
        on: 'observed',
        value: (e: Observed) => e.value,
        buckets: [1, 10],
        ...(seeded ? { initial: [{}] } : {}),
      }),
    ],
  });
  cleanups.push(
    () => runtime.shutdown(),
    () => meterProvider.shutdown(),
    () => bridge.detach(),
  );
  /** One collection's `h.latency` data. */
  const collect = async () => {
    const data = await reader.read();
    const metric = data.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === 'h.latency') as HistogramMetricData | undefined;
    return metric;
  };
  const observe = async (...values: number[]) => {
    for (const value of values) recorder.registerEvent({ type: 'observed', value });
    await recorder.flush();
  };
  return { collect, observe, recorder };
}

const PATHS: Path[] = ['producer', 'instruments'];
const observation = fc.double({ min: 0, max: 1e12, noNaN: true });

describe('a seeded histogram point on the bridge', () => {
  it.each(PATHS)(
    '%s path: exported empty without min/max, then min/max are its first observation',
    async (path) => {
      const { collect, observe } = setup(path, true);
      const empty = (await collect())?.dataPoints[0]?.value;
      if (path === 'producer') {
        expect(empty?.count).toBe(0);
        expect(empty?.min).toBeUndefined();
        expect(empty?.max).toBeUndefined();
      } else {
        // the SDK's own Histogram has no point until something is recorded
        expect(empty).toBeUndefined();
      }
      await observe(7);
      expect((await collect())?.dataPoints[0]?.value).toMatchObject({ count: 1, min: 7, max: 7 });
      await observe(3, 12);
      expect((await collect())?.dataPoints[0]?.value).toMatchObject({ count: 3, min: 3, max: 12 });
    },
  );
});

describe('histogram collections', () => {
  it('producer path: an earlier collection keeps its value after later ones, for any observations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(fc.array(observation, { maxLength: 6 }), { minLength: 2, maxLength: 4 }),
        async (seeded, rounds) => {
          const { collect, observe, recorder } = setup('producer', seeded);
          const held: Array<{ data: unknown; frozen: unknown }> = [];
          for (const round of rounds) {
            await observe(...round);
            const data = await collect();
            held.push({ data, frozen: structuredClone(data) });
            // each collection equals core's state at the time
            const point = recorder.getMetricSnapshots()[0]?.points[0] as
              | { count: number; bucketCounts: number[] }
              | undefined;
            expect(data?.dataPoints[0]?.value.count ?? 0).toBe(point?.count ?? 0);
            if (point !== undefined) {
              expect(data?.dataPoints[0]?.value.buckets.counts).toEqual(point.bucketCounts);
            }
          }
          // ...and still equals it after every later collection
          for (const { data, frozen } of held) expect(data).toEqual(frozen);
          for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
        },
      ),
      { numRuns: 30 },
    );
  });
});
