import { histogram } from '@mvx-metrics/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogramOpenMetrics } from '../../packages/otel-bridge/src/kinds/histogram-openmetrics.js';
import { findOpenMetricsParser, parseOpenMetrics } from '../support/openmetrics.js';
import { startServedRuntime } from '../support/served-runtime.js';
import { cleanUpAfterEach } from './helpers.js';

// OpenMetrics 1.0: a histogram's `_count` and `_sum` are left out only when a bucket bound is
// negative (the sum could then decrease). A first bound of exactly 0 is not negative.

const { cleanups } = cleanUpAfterEach();
const python = findOpenMetricsParser();
const OPENMETRICS = 'application/openmetrics-text;version=1.0.0';

/** The sample names the writer prints for one point on `boundaries`. */
function sampleNames(boundaries: number[], observed: number[]): string[] {
  const counts = new Array<number>(boundaries.length + 1).fill(0);
  for (const value of observed) {
    const found = boundaries.findIndex((bound) => value <= bound);
    const i = found < 0 ? boundaries.length : found;
    counts[i] = (counts[i] as number) + 1;
  }
  const text = histogramOpenMetrics.samples('h', '', {
    attributes: {},
    startTime: [0, 0],
    endTime: [0, 0],
    value: {
      buckets: { boundaries, counts },
      count: observed.length,
      sum: observed.reduce((a, b) => a + b, 0),
    },
  });
  return text
    .trim()
    .split('\n')
    .map((line) => line.slice(0, line.search(/[{ ]/)));
}

describe('OpenMetrics histogram samples with a first bound of 0', () => {
  it('keep _count and _sum exactly when no bound is negative, for any boundaries', () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(fc.integer({ min: -5, max: 50 }), { maxLength: 6 })
          .map((b) => b.sort((x, y) => x - y)),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 5 }),
        (bounds, zeroFirst, observed) => {
          const boundaries = zeroFirst ? [0, ...bounds.filter((b) => b > 0)] : bounds;
          const names = sampleNames(boundaries, observed);
          const negative = boundaries.some((b) => b < 0);
          expect(names.includes('h_count')).toBe(!negative);
          expect(names.includes('h_sum')).toBe(!negative);
        },
      ),
    );
    expect(sampleNames([0, 1], [0, 0.5])).toEqual([
      'h_bucket',
      'h_bucket',
      'h_bucket',
      'h_count',
      'h_sum',
    ]);
  });

  it.skipIf(python === undefined)(
    "are served on /metrics and read by Python's OpenMetrics parser with count and sum",
    async () => {
      const served = await startServedRuntime('zero', 'zero-bound');
      cleanups.push(() => served.close());
      const recorder = served.runtime.createRecorder('r', {
        metrics: [
          histogram({
            name: 'queue.wait',
            on: 'waited',
            value: (e: { ms: number }) => e.ms,
            buckets: [0, 10, 100],
          }),
        ],
      });
      for (const ms of [0, 0, 7, 250]) recorder.registerEvent({ type: 'waited', ms });
      await recorder.flush();
      const response = await fetch(served.pipeline.prometheusUrl as string, {
        headers: { accept: OPENMETRICS },
      });
      expect(response.headers.get('content-type')).toContain('application/openmetrics-text');
      const families = parseOpenMetrics(python as string, await response.text());
      const family = families.find((f) => f.name === 'zero_queue_wait');
      expect(family?.type).toBe('histogram');
      const value = (name: string) => family?.samples.find((s) => s.name === name)?.value;
      expect(value('zero_queue_wait_count')).toBe(4);
      expect(value('zero_queue_wait_sum')).toBe(257);
      expect(
        family?.samples.filter((s) => s.name === 'zero_queue_wait_bucket').map((s) => s.value),
      ).toEqual([2, 3, 3, 4]);
    },
  );
});
