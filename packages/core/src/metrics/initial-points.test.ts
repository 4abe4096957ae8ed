import { describe, expect, test } from 'vitest';
import { MetricEvent } from '../events/index.js';
import { counter, gauge, upDownCounter } from './index.js';

class Tick extends MetricEvent {}

describe('initial points of a metric without attributes', () => {
  test.each([
    ['counter', () => counter({ name: 'c', on: Tick, initial: [{}] })],
    ['upDownCounter', () => upDownCounter({ name: 'u', on: Tick, initial: [{}] })],
    ['gauge', () => gauge({ name: 'g', on: Tick, value: () => 5, initial: [{}] })],
  ])('%s: initial [{}] is the one point events update, never a second point', (_, make) => {
    const metric = make();
    metric.handleEvent(new Tick());
    const points = metric.snapshot().points;
    expect(points).toHaveLength(1);
    expect(points[0]).toEqual({ attributes: {}, value: expect.any(Number) });
    expect((points[0] as { value: number }).value).not.toBe(0);
  });
});
