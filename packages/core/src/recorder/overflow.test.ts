import { describe, expect, it } from 'vitest';
import type { MetricsError } from '../errors/index.js';
import type { Metric } from '../metrics/index.js';
import { MetricsRecorder } from './index.js';

function seenIds() {
  const ids: number[] = [];
  const metric: Metric = {
    name: 'seen',
    handleEvent: (event) => {
      ids.push((event as { id: number }).id);
      return true;
    },
    snapshot: () => ({ name: 'seen', kind: 'custom', points: [] }),
  };
  return { ids, metric };
}

function full(overflow: 'drop-newest' | 'drop-oldest') {
  const { ids, metric } = seenIds();
  const errors: MetricsError[] = [];
  const recorder = new MetricsRecorder('bounded', {
    metrics: [metric],
    maxPendingEvents: 3,
    overflow,
    onError: (e) => errors.push(e),
  });
  recorder.start();
  for (let id = 1; id <= 7; id++) recorder.registerEvent({ id });
  return { recorder, ids, errors };
}

describe('bounded buffer', () => {
  it('drops the newest event when the buffer is full (default policy)', async () => {
    const { recorder, ids, errors } = full('drop-newest');
    expect(recorder.overflow).toBe('drop-newest');
    expect(recorder.stats()).toMatchObject({ registered: 7, dropped: 4, pending: 3, capacity: 3 });
    await recorder.flush();
    expect(ids).toEqual([1, 2, 3]);
    expect(errors.map((e) => e.code)).toEqual(['buffer-full']);
    expect(errors[0]?.message).toMatch(/"bounded".*3 pending.*newest/);
  });

  it('evicts the oldest pending events with drop-oldest', async () => {
    const { recorder, ids, errors } = full('drop-oldest');
    expect(recorder.stats()).toMatchObject({ registered: 7, dropped: 4, pending: 3 });
    await recorder.flush();
    expect(ids).toEqual([5, 6, 7]);
    expect(errors.map((e) => e.code)).toEqual(['buffer-full']);
    expect(errors[0]?.message).toContain('oldest');
  });

  it('accepts events again once the buffer has drained', async () => {
    const { recorder, ids } = full('drop-newest');
    await recorder.flush();
    recorder.registerEvent({ id: 8 });
    await recorder.flush();
    expect(ids).toEqual([1, 2, 3, 8]);
    expect(recorder.stats()).toMatchObject({ registered: 8, processed: 4, dropped: 4 });
  });

  it('defaults to 65 536 pending events', () => {
    expect(new MetricsRecorder('r').capacity).toBe(65_536);
  });

  it('grows past its initial ring and keeps order across the wrap-around', async () => {
    const { ids, metric } = seenIds();
    const recorder = new MetricsRecorder('r', { metrics: [metric], overflow: 'drop-oldest' });
    recorder.start();
    for (let id = 0; id < 5000; id++) recorder.registerEvent({ id });
    await recorder.flush();
    for (let id = 5000; id < 5040; id++) recorder.registerEvent({ id });
    await recorder.flush();
    expect(ids).toEqual(Array.from({ length: 5040 }, (_, i) => i));
  });

  it('refuses a bad capacity or policy at wiring time', () => {
    expect(() => new MetricsRecorder('r', { maxPendingEvents: 0 })).toThrow(/maxPendingEvents/);
    expect(() => new MetricsRecorder('r', { maxPendingEvents: 1.5 })).toThrow(/maxPendingEvents/);
    expect(() => new MetricsRecorder('r', { overflow: 'drop-all' as never })).toThrow(/overflow/);
    expect(() => new MetricsRecorder('')).toThrow(/name/);
  });
});
