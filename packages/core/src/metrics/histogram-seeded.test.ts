import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTestRecorder, histogramPoint } from '../testing/index.js';
import { histogram } from './index.js';

interface Observed {
  type: 'observed';
  value: number;
}

const observed = (value: number): Observed => ({ type: 'observed', value });

/** A histogram over [1, 10], seeded with its one point (`initial: [{}]`) or not. */
function recorderOf(seeded: boolean) {
  return createTestRecorder([
    histogram({
      name: 'latency',
      on: 'observed',
      value: (e: Observed) => e.value,
      buckets: [1, 10],
      ...(seeded ? { initial: [{}] } : {}),
    }),
  ]);
}

// Values a histogram accepts (non-negative, finite), kept small enough that no sum overflows.
const observation = fc.double({ min: 0, max: 1e12, noNaN: true });

describe('histogram min and max', () => {
  it('a seeded empty point takes min and max from its first observation, not from its zero state', () => {
    const recorder = recorderOf(true);
    expect(histogramPoint(recorder, 'latency')).toMatchObject({ count: 0, min: 0, max: 0 });
    recorder.registerEvent(observed(7));
    expect(histogramPoint(recorder, 'latency')).toMatchObject({ count: 1, min: 7, max: 7 });
    recorder.registerEvent(observed(3));
    recorder.registerEvent(observed(12));
    expect(histogramPoint(recorder, 'latency')).toMatchObject({ count: 3, min: 3, max: 12 });
  });

  it('are the smallest and largest observation, seeded or not, whatever the values', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(observation, { minLength: 1, maxLength: 30 }),
        (seeded, values) => {
          const recorder = recorderOf(seeded);
          for (const value of values) recorder.registerEvent(observed(value));
          const point = histogramPoint(recorder, 'latency');
          expect(point?.count).toBe(values.length);
          expect(point?.min).toBe(Math.min(...values));
          expect(point?.max).toBe(Math.max(...values));
        },
      ),
    );
  });
});

describe('histogram snapshots', () => {
  it('an earlier snapshot keeps its values after later observations (no shared bucket counts)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(observation, { maxLength: 10 }),
        fc.array(observation, { minLength: 1, maxLength: 10 }),
        (seeded, before, after) => {
          const recorder = recorderOf(seeded);
          for (const value of before) recorder.registerEvent(observed(value));
          const earlier = recorder.getMetricSnapshots();
          const frozen = structuredClone(earlier);
          for (const value of after) recorder.registerEvent(observed(value));
          const later = recorder.getMetricSnapshots();
          expect(earlier).toEqual(frozen);
          // and the later one did see the new observations
          expect(histogramPoint(recorder, 'latency')?.count).toBe(before.length + after.length);
          expect(later[0]?.points[0]).not.toEqual(frozen[0]?.points[0]);
        },
      ),
    );
  });
});
