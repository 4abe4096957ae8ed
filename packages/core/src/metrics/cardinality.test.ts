import { describe, expect, it } from 'vitest';
import { createTestRecorder, findPoint, pointValue } from '../testing/index.js';
import { counter, histogram } from './index.js';

const byUser = (limit?: number) =>
  counter({
    name: 'requests',
    on: 'request',
    attributes: (e: { user: string }) => ({ user: e.user }),
    ...(limit === undefined ? {} : { cardinalityLimit: limit }),
  });

describe('cardinality limit', () => {
  it('keeps at most 2000 points by default, the overflow point included', () => {
    const recorder = createTestRecorder([byUser()], { name: 'api' });
    for (let i = 0; i < 2500; i++) recorder.registerEvent({ type: 'request', user: `u${i}` });
    const points = recorder.getMetricSnapshots()[0]?.points ?? [];
    expect(points).toHaveLength(2000);
    expect(points.at(-1)).toEqual({ attributes: { 'otel.metric.overflow': true }, value: 501 });
    expect(pointValue(recorder, 'requests', { user: 'u1998' })).toBe(1);
    expect(pointValue(recorder, 'requests', { user: 'u1999' })).toBeUndefined();
  });

  it('folds new attribute sets into {otel.metric.overflow: true} while known points keep updating', () => {
    const recorder = createTestRecorder([byUser(3)], { name: 'api' });
    for (const user of ['a', 'b', 'c', 'd', 'a', 'c', 'b', 'e']) {
      recorder.registerEvent({ type: 'request', user });
    }
    const snapshots = recorder.getMetricSnapshots();
    expect(snapshots[0]?.points).toEqual([
      { attributes: { user: 'a' }, value: 2 },
      { attributes: { user: 'b' }, value: 2 },
      { attributes: { 'otel.metric.overflow': true }, value: 4 },
    ]);
    expect(findPoint(snapshots, 'requests', { 'otel.metric.overflow': 'true' })).toBeDefined();
  });

  it('reports reaching the limit once, naming the metric and the recorder', () => {
    const recorder = createTestRecorder([byUser(2)], { name: 'api' });
    for (const user of ['a', 'b', 'c', 'd']) recorder.registerEvent({ type: 'request', user });
    expect(recorder.errors).toHaveLength(1);
    expect(recorder.errors[0]?.code).toBe('cardinality-limit');
    expect(recorder.errors[0]?.message).toMatch(/"requests".*"api".*2/);
  });

  it('counts `initial` points against the limit', () => {
    const recorder = createTestRecorder([
      counter({
        name: 'requests',
        on: 'request',
        attributes: (e: { user: string }) => ({ user: e.user }),
        initial: [{ user: 'a' }, { user: 'b' }],
        cardinalityLimit: 3,
      }),
    ]);
    recorder.registerEvent({ type: 'request', user: 'c' });
    recorder.registerEvent({ type: 'request', user: 'a' });
    expect(recorder.getMetricSnapshots()[0]?.points).toEqual([
      { attributes: { user: 'a' }, value: 1 },
      { attributes: { user: 'b' }, value: 0 },
      { attributes: { 'otel.metric.overflow': true }, value: 1 },
    ]);
  });

  it('applies to histograms too', () => {
    const recorder = createTestRecorder([
      histogram({
        name: 'latency',
        on: 'request',
        value: () => 1,
        buckets: [1],
        attributes: (e: { user: string }) => ({ user: e.user }),
        cardinalityLimit: 2,
      }),
    ]);
    for (const user of ['a', 'b', 'c']) recorder.registerEvent({ type: 'request', user });
    const points = recorder.getMetricSnapshots()[0]?.points ?? [];
    expect(points.map((p) => [p.attributes, 'count' in p ? p.count : -1])).toEqual([
      [{ user: 'a' }, 1],
      [{ 'otel.metric.overflow': true }, 2],
    ]);
  });
});

describe('attributes callback returning nothing', () => {
  it('puts events whose attributes() returns undefined or null on the point without attributes', () => {
    const recorder = createTestRecorder([
      counter({
        name: 'requests',
        on: 'request',
        attributes: (e: { user?: string }) =>
          (e.user === 'none'
            ? null
            : e.user === undefined
              ? undefined
              : { user: e.user }) as Record<string, unknown>,
      }),
    ]);
    recorder.registerEvent({ type: 'request', user: 'none' });
    recorder.registerEvent({ type: 'request' });
    recorder.registerEvent({ type: 'request', user: 'a' });
    expect(recorder.getMetricSnapshots()[0]?.points).toEqual([
      { attributes: {}, value: 2 },
      { attributes: { user: 'a' }, value: 1 },
    ]);
    expect(recorder.stats().failed).toBe(0);
  });
});

describe('initial points and the cardinality limit', () => {
  it('throws at definition time when `initial` needs more points than the limit keeps', () => {
    expect(() =>
      counter({
        name: 'requests',
        on: 'request',
        attributes: (e: { user: string }) => ({ user: e.user }),
        initial: [{ user: 'a' }, { user: 'b' }, { user: 'c' }],
        cardinalityLimit: 3,
      }),
    ).toThrow(/initial points exceed cardinalityLimit 3/);
  });

  it('still reports a later overflow when `initial` filled the limit exactly', () => {
    const recorder = createTestRecorder([
      counter({
        name: 'requests',
        on: 'request',
        attributes: (e: { user: string }) => ({ user: e.user }),
        initial: [{ user: 'a' }, { user: 'b' }],
        cardinalityLimit: 3,
      }),
    ]);
    recorder.registerEvent({ type: 'request', user: 'c' });
    expect(recorder.errors.map((e) => e.code)).toEqual(['cardinality-limit']);
  });
});
