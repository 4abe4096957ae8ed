import { describe, expect, it } from 'vitest';
import type { MetricsError } from '../errors/index.js';
import { counter, type Metric } from '../metrics/index.js';
import { createTestRecorder, pointValue } from '../testing/index.js';
import { MetricsRecorder } from './index.js';

// A factory: a metric instance belongs to one recorder.
const throwingMetric = (): Metric => ({
  name: 'broken',
  handleEvent: () => {
    throw new Error('kaboom');
  },
  snapshot: () => ({ name: 'broken', kind: 'custom', points: [] }),
});

describe('a metric that throws', () => {
  it('is isolated: the other metrics still see the event and the recorder keeps running', async () => {
    const errors: MetricsError[] = [];
    const recorder = new MetricsRecorder('storage', {
      metrics: [
        counter({ name: 'before', on: 'e' }),
        throwingMetric(),
        counter({ name: 'after', on: 'e' }),
      ],
      onError: (e) => errors.push(e),
    });
    recorder.start();
    for (let i = 0; i < 3; i++) recorder.registerEvent({ type: 'e' });
    await recorder.flush();
    expect(pointValue(recorder, 'before')).toBe(3);
    expect(pointValue(recorder, 'after')).toBe(3);
    expect(recorder.state).toBe('running');
    expect(recorder.stats()).toMatchObject({ processed: 3, accepted: 3, failed: 3 });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('metric-failed');
    expect(errors[0]?.message).toMatch(/"broken".*"storage".*kaboom/);
    expect(errors[0]?.cause).toBeInstanceOf(Error);
  });

  it('is isolated when its attributes() or value() callback throws', () => {
    const recorder = createTestRecorder([
      counter({
        name: 'bad.attributes',
        on: 'e',
        attributes: () => {
          throw new Error('no attrs');
        },
      }),
      counter({ name: 'good', on: 'e' }),
    ]);
    recorder.registerEvent({ type: 'e' });
    expect(pointValue(recorder, 'good')).toBe(1);
    expect(recorder.stats().failed).toBe(1);
    expect(recorder.errors[0]?.message).toContain('no attrs');
  });

  it('reports each failing metric once, and keeps counting every failure', () => {
    const other: Metric = { ...throwingMetric(), name: 'broken.too' };
    const recorder = createTestRecorder([throwingMetric(), other]);
    recorder.registerEvent({ type: 'e' });
    recorder.registerEvent({ type: 'e' });
    expect(recorder.errors.map((e) => e.message.match(/"([^"]+)"/)?.[1])).toEqual([
      'broken',
      'broken.too',
    ]);
    expect(recorder.stats().failed).toBe(4);
  });

  it('whose snapshot() throws is skipped and reported, the others are returned', () => {
    const recorder = createTestRecorder([
      {
        ...throwingMetric(),
        handleEvent: () => false,
        snapshot: () => {
          throw new Error('no snap');
        },
      },
      counter({ name: 'ok', on: 'e' }),
    ]);
    expect(recorder.getMetricSnapshots().map((s) => s.name)).toEqual(['ok']);
    expect(recorder.errors[0]?.message).toContain('no snap');
  });
});
