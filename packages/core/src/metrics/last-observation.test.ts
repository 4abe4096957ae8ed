import { describe, expect, it } from 'vitest';
import { createTestRecorder } from '../testing/index.js';
import { counter, gauge, histogram } from './index.js';

describe('last observation of built-in metrics', () => {
  it('exposes the value and point attributes of the last accepted event during the post-change hook', () => {
    const latency = histogram({
      name: 'latency',
      on: 'req',
      value: (e: { ms: number; route: string }) => e.ms,
      attributes: (e) => ({ route: e.route }),
    });
    const recorder = createTestRecorder([latency]);
    const seen: Array<[number | undefined, unknown]> = [];
    recorder.onChange((change) => {
      seen.push([change.metric.lastValue, change.metric.lastAttributes]);
    });
    recorder.registerEvent({ type: 'req', ms: 12, route: '/a' });
    recorder.registerEvent({ type: 'req', ms: 7, route: '/b' });
    expect(seen).toEqual([
      [12, { route: '/a' }],
      [7, { route: '/b' }],
    ]);
  });

  it('keeps the last accepted observation when a later event is ignored or refused', () => {
    const level = gauge({
      name: 'level',
      on: 'level',
      value: (e: { v: unknown }) => e.v as number,
    });
    const recorder = createTestRecorder([level]);
    expect(level.lastValue).toBe(0);
    expect(level.lastAttributes).toEqual({});
    recorder.registerEvent({ type: 'level', v: 3 });
    recorder.registerEvent({ type: 'level', v: 'oops' });
    recorder.registerEvent({ type: 'other', v: 9 });
    expect(level.lastValue).toBe(3);
  });

  it('reports the overflow point attributes once the cardinality limit is reached', () => {
    const hits = counter({
      name: 'hits',
      on: 'hit',
      attributes: (e: { k: string }) => ({ k: e.k }),
      cardinalityLimit: 2,
    });
    const recorder = createTestRecorder([hits]);
    recorder.registerEvent({ type: 'hit', k: 'a' });
    expect(hits.lastAttributes).toEqual({ k: 'a' });
    recorder.registerEvent({ type: 'hit', k: 'b' });
    expect(hits.lastAttributes).toEqual({ 'otel.metric.overflow': true });
    expect(hits.lastValue).toBe(1);
  });
});
