import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { counter, histogram } from '../metrics/index.js';
import type { HistogramPoint, NumberPoint } from '../snapshots/index.js';
import { createTestRecorder, pointValue } from '../testing/index.js';
import { MetricsRecorder } from './index.js';

describe('recorder lifecycle', () => {
  it('goes created → running → stopping → stopped, draining pending events before stopped', async () => {
    const recorder = new MetricsRecorder('r', { metrics: [counter({ name: 'c', on: 'e' })] });
    expect(recorder.state).toBe('created');
    recorder.start();
    expect(recorder.state).toBe('running');
    for (let i = 0; i < 100; i++) recorder.registerEvent({ type: 'e' });
    const stopped = recorder.stop();
    expect(recorder.state).toBe('stopping');
    expect(recorder.stats().pending).toBe(100);
    await stopped;
    expect(recorder.state).toBe('stopped');
    expect(pointValue(recorder, 'c')).toBe(100);
    expect(recorder.stats()).toMatchObject({ processed: 100, pending: 0 });
  });

  it('returns the same promise from a second stop() and ignores start() once stopped', async () => {
    const recorder = new MetricsRecorder('r');
    recorder.start();
    const first = recorder.stop();
    expect(recorder.stop()).toBe(first);
    await first;
    recorder.start();
    expect(recorder.state).toBe('stopped');
  });

  it('drains events of a recorder stopped before it was ever started', async () => {
    const recorder = new MetricsRecorder('r', { metrics: [counter({ name: 'c', on: 'e' })] });
    recorder.registerEvent({ type: 'e' });
    await recorder.stop();
    expect(recorder.state).toBe('stopped');
    expect(pointValue(recorder, 'c')).toBe(1);
  });

  it('refuses events while stopping', async () => {
    const recorder = new MetricsRecorder('r', { onError: () => {} });
    recorder.start();
    recorder.registerEvent({ type: 'e' });
    const stopping = recorder.stop();
    recorder.registerEvent({ type: 'late' });
    await stopping;
    expect(recorder.stats()).toMatchObject({ registered: 1, processed: 1, rejected: 1 });
  });
});

describe('addMetric', () => {
  it('adds a metric at wiring time and dispatches to it in order', () => {
    const recorder = createTestRecorder([counter({ name: 'a', on: 'e' })]);
    recorder.addMetric(counter({ name: 'b', on: 'e' }));
    recorder.registerEvent({ type: 'e' });
    expect(recorder.getMetrics().map((m) => m.name)).toEqual(['a', 'b']);
    expect(pointValue(recorder, 'b')).toBe(1);
  });

  it('throws a MetricsWiringError for a duplicate name', () => {
    const recorder = createTestRecorder([counter({ name: 'a', on: 'e' })]);
    let caught: unknown;
    try {
      recorder.addMetric(counter({ name: 'a', on: 'other' }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MetricsWiringError);
    expect((caught as MetricsWiringError).code).toBe('duplicate-metric');
    expect((caught as Error).message).toMatch(/"test".*"a"/);
    expect(
      () =>
        new MetricsRecorder('r', {
          metrics: [counter({ name: 'x', on: 'e' }), counter({ name: 'x', on: 'e' })],
        }),
    ).toThrow(MetricsWiringError);
  });
});

describe('getMetricSnapshots', () => {
  it('returns the state of every metric in registration order', () => {
    const recorder = createTestRecorder([
      counter({ name: 'a', on: 'e' }),
      histogram({ name: 'h', on: 'e', value: () => 1, buckets: [1] }),
    ]);
    recorder.registerEvent({ type: 'e' });
    expect(recorder.getMetricSnapshots().map((s) => [s.name, s.kind])).toEqual([
      ['a', 'counter'],
      ['h', 'histogram'],
    ]);
  });

  it('returns immutable copies: mutating a snapshot never changes metric state', () => {
    const recorder = createTestRecorder([
      counter({ name: 'a', on: 'e', attributes: () => ({ k: 'v' }) }),
      histogram({
        name: 'h',
        on: 'e',
        value: () => 1,
        buckets: [1],
        attributes: () => ({ k: 'v' }),
      }),
    ]);
    recorder.registerEvent({ type: 'e' });
    const before = JSON.parse(JSON.stringify(recorder.getMetricSnapshots()));
    const snapshots = recorder.getMetricSnapshots();
    const counterPoint = snapshots[0]?.points[0] as NumberPoint;
    counterPoint.value = 999;
    counterPoint.attributes.k = 'changed';
    const histogramPoint = snapshots[1]?.points[0] as HistogramPoint;
    histogramPoint.count = 999;
    histogramPoint.bucketCounts[0] = 999;
    histogramPoint.boundaries[0] = 999;
    histogramPoint.attributes.k = 'changed';
    snapshots[0]?.points.push({ attributes: {}, value: 1 });
    expect(recorder.getMetricSnapshots()).toEqual(before);
    recorder.registerEvent({ type: 'e' });
    expect(pointValue(recorder, 'a', { k: 'v' })).toBe(2);
    expect(recorder.getMetricSnapshots()[1]?.points[0]).toMatchObject({
      count: 2,
      boundaries: [1],
      bucketCounts: [2, 0],
    });
  });

  it('returns JSON-serialisable snapshots', () => {
    const recorder = createTestRecorder([
      histogram({ name: 'h', on: 'e', value: () => 0.5, unit: 's' }),
    ]);
    recorder.registerEvent({ type: 'e' });
    const snapshots = recorder.getMetricSnapshots();
    expect(JSON.parse(JSON.stringify(snapshots))).toEqual(snapshots);
  });
});
