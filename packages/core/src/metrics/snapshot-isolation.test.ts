import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTestRecorder } from '../testing/index.js';
import { counter, gauge, histogram, upDownCounter } from './index.js';

// A snapshot is the caller's copy: changing it (attributes, boundaries, counts, values) never
// reaches the metric's state or a later snapshot. And the problems a metric reports say what
// was wrong.

interface Ev {
  type: 'e';
  key: string;
  value: number;
}

const metrics = () => [
  counter({
    name: 'c',
    on: 'e',
    attributes: (e: Ev) => ({ key: e.key }),
    value: (e: Ev) => e.value,
  }),
  upDownCounter({
    name: 'u',
    on: 'e',
    attributes: (e: Ev) => ({ key: e.key }),
    value: (e: Ev) => e.value,
  }),
  gauge({ name: 'g', on: 'e', attributes: (e: Ev) => ({ key: e.key }), value: (e: Ev) => e.value }),
  histogram({
    name: 'h',
    on: 'e',
    attributes: (e: Ev) => ({ key: e.key }),
    value: (e: Ev) => e.value,
    buckets: [1, 10],
  }),
];

describe('snapshots are copies', () => {
  it('changing every field of a snapshot changes nothing the metric holds, for any events', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ key: fc.constantFrom('a', 'b'), value: fc.integer({ min: 0, max: 20 }) }),
          { minLength: 1, maxLength: 10 },
        ),
        (events) => {
          const recorder = createTestRecorder(metrics());
          for (const e of events) recorder.registerEvent({ type: 'e', ...e });
          const first = recorder.getMetricSnapshots();
          const expected = structuredClone(first);
          for (const snapshot of first) {
            for (const point of snapshot.points as unknown as Array<Record<string, unknown>>) {
              (point.attributes as Record<string, unknown>).key = 'changed';
              (point.attributes as Record<string, unknown>).extra = 1;
              if ('value' in point) point.value = -1;
              if (Array.isArray(point.bucketCounts)) point.bucketCounts.fill(99);
              if (Array.isArray(point.boundaries)) point.boundaries.fill(-5);
              point.count = -1;
            }
          }
          expect(recorder.getMetricSnapshots()).toEqual(expected);
          // and the state still counts on from where it was
          recorder.registerEvent({ type: 'e', key: 'a', value: 1 });
          const counterA = recorder
            .getMetricSnapshots()[0]
            ?.points.find((p) => p.attributes.key === 'a') as { value: number } | undefined;
          const before = expected[0]?.points.find((p) => p.attributes.key === 'a') as
            | { value: number }
            | undefined;
          expect(counterA?.value).toBe((before?.value ?? 0) + 1);
        },
      ),
    );
  });
});

describe('reports name the problem', () => {
  it('a negative counter increment is reported as negative-increment, saying a counter only goes up', () => {
    const recorder = createTestRecorder(metrics());
    recorder.registerEvent({ type: 'e', key: 'a', value: -3 });
    const report = recorder.errors.find((e) => e.code === 'negative-increment');
    expect(report?.message).toMatch(/dropped value -3: a counter only goes up/);
    // the other kinds take it: an upDownCounter adds it, a gauge sets it
    const snapshots = recorder.getMetricSnapshots();
    expect(snapshots.find((s) => s.name === 'u')?.points[0]).toMatchObject({ value: -3 });
    expect(snapshots.find((s) => s.name === 'g')?.points[0]).toMatchObject({ value: -3 });
    expect(snapshots.find((s) => s.name === 'c')?.dropped).toBe(1);
  });

  it('a negative histogram observation is reported as invalid-value, saying histograms are non-negative', () => {
    const recorder = createTestRecorder([
      histogram({ name: 'h', on: 'e', value: (e: Ev) => e.value }),
    ]);
    recorder.registerEvent({ type: 'e', key: 'a', value: -0.5 });
    const report = recorder.errors.find((e) => e.code === 'invalid-value');
    expect(report?.message).toMatch(/dropped value -0\.5: a histogram records non-negative values/);
  });

  it('a sum that would overflow is refused and reported, the state left as it was', () => {
    const recorder = createTestRecorder([
      upDownCounter({ name: 'u', on: 'e', value: (e: Ev) => e.value }),
      histogram({ name: 'h', on: 'e', value: (e: Ev) => e.value }),
    ]);
    recorder.registerEvent({ type: 'e', key: 'a', value: Number.MAX_VALUE });
    recorder.registerEvent({ type: 'e', key: 'a', value: Number.MAX_VALUE });
    const [u, h] = recorder.getMetricSnapshots();
    expect(u?.points[0]).toMatchObject({ value: Number.MAX_VALUE });
    expect(u?.dropped).toBe(1);
    expect(h?.points[0]).toMatchObject({ count: 1, sum: Number.MAX_VALUE });
    expect(h?.dropped).toBe(1);
    const messages = recorder.errors.map((e) => e.message);
    expect(messages).toContainEqual(expect.stringMatching(/overflow to a non-finite value/));
    expect(messages).toContainEqual(expect.stringMatching(/overflow to a non-finite sum/));
  });
});
