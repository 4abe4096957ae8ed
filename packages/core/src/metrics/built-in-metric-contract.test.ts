// The Metric contract as the built-ins keep it: handleEvent says false whenever the state did not
// change (a refused value included), a metric not attached to a recorder never throws, and the
// descriptor and snapshot carry exactly the fields that were given (no `unit: undefined` keys).
import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { createTestRecorder } from '../testing/index.js';
import { counter, describeMetric, gauge, histogram } from './index.js';
import type { Metric } from './types.js';

describe('handleEvent', () => {
  it('is false for a value refused because adding it would overflow to a non-finite sum', () => {
    const metric = counter({ name: 'bytes', on: 'sent', value: (e: { n: number }) => e.n });
    expect(metric.handleEvent({ type: 'sent', n: 1e308 })).toBe(true);
    expect(metric.handleEvent({ type: 'sent', n: 1e308 })).toBe(false);
    expect(metric.snapshot()).toMatchObject({ points: [{ value: 1e308 }], dropped: 1 });
  });

  it('a change listener sees accepted events only', () => {
    const metric = counter({ name: 'bytes', on: 'sent', value: (e: { n: number }) => e.n });
    const recorder = createTestRecorder([metric]);
    const seen: number[] = [];
    recorder.onChange((change) => seen.push(change.value as number));
    for (const n of [1e308, 1e308, -1, 5]) recorder.registerEvent({ type: 'sent', n });
    expect(seen).toEqual([1e308, 5]);
    expect(recorder.errors.map((e) => e.code)).toEqual(['invalid-value', 'negative-increment']);
    expect(recorder.errors[0]?.message).toBe(
      'Metric "bytes" in recorder "test" dropped value 1e+308: adding it would overflow to a non-finite value.',
    );
  });

  it('a metric not attached to a recorder drops bad values without throwing', () => {
    const limited = counter({
      name: 'users',
      on: 'login',
      attributes: (e: { user: string; n: number }) => ({ user: e.user }),
      value: (e: { user: string; n: number }) => e.n,
      cardinalityLimit: 2,
    });
    expect(limited.handleEvent({ type: 'login', user: 'a', n: Number.NaN })).toBe(false);
    expect(limited.handleEvent({ type: 'login', user: 'a', n: 1e308 })).toBe(true);
    expect(limited.handleEvent({ type: 'login', user: 'a', n: 1e308 })).toBe(false);
    expect(limited.handleEvent({ type: 'login', user: 'b', n: 1 })).toBe(true);
    expect(limited.handleEvent({ type: 'login', user: 'c', n: 1 })).toBe(true);
    expect(limited.snapshot().dropped).toBe(2);
  });
});

describe('descriptor and snapshot', () => {
  it('hold exactly the fields given', () => {
    const bare = counter({ name: 'hits', on: 'hit' });
    expect(bare.descriptor).toStrictEqual({ name: 'hits', kind: 'counter', selector: 'hit' });
    expect(bare.snapshot()).toStrictEqual({
      name: 'hits',
      kind: 'counter',
      points: [{ attributes: {}, value: 0 }],
      dropped: 0,
    });
    const full = gauge({
      name: 'queue.depth',
      on: 'tick',
      value: (e: { n: number }) => e.n,
      unit: '{item}',
      description: 'items waiting',
      namespace: false,
    });
    expect(full.descriptor).toStrictEqual({
      name: 'queue.depth',
      kind: 'gauge',
      selector: 'tick',
      unit: '{item}',
      description: 'items waiting',
      namespace: false,
    });
    expect(full.snapshot()).toStrictEqual({
      name: 'queue.depth',
      kind: 'gauge',
      points: expect.any(Array),
      dropped: 0,
      unit: '{item}',
      description: 'items waiting',
    });
    const timed = histogram({ name: 'took', on: 't', value: () => 1, buckets: [1, 2] });
    expect(timed.descriptor).toStrictEqual({
      name: 'took',
      kind: 'histogram',
      selector: 't',
      boundaries: [1, 2],
    });
  });

  it('more initial points than the limit leaves room for is a wiring error saying how many fit', () => {
    const define = () =>
      counter({ name: 'hits', on: 'hit', initial: [{ a: '1' }, { a: '2' }], cardinalityLimit: 2 });
    expect(define).toThrow(MetricsWiringError);
    expect(define).toThrow(expect.objectContaining({ code: 'invalid-metric-options' }));
    expect(define).toThrow(
      'Metric "hits": 2 initial points exceed cardinalityLimit 2, which keeps at most 1 attribute sets besides the overflow point.',
    );
    expect(() =>
      counter({ name: 'hits', on: 'hit', initial: [{ a: '1' }], cardinalityLimit: 2 }),
    ).not.toThrow();
  });
});

describe('describeMetric of a hand-written metric without a descriptor', () => {
  const handWritten = (points: object[], extra: object = {}): Metric => ({
    name: 'custom',
    handleEvent: () => false,
    snapshot: () => ({ name: 'custom', kind: 'histogram', points, ...extra }) as never,
  });

  it('works before the metric has any point, and for points without boundaries', () => {
    expect(describeMetric(handWritten([]))).toStrictEqual({ name: 'custom', kind: 'histogram' });
    expect(describeMetric(handWritten([{ attributes: {}, value: 1 }]))).toStrictEqual({
      name: 'custom',
      kind: 'histogram',
    });
  });

  it('takes unit, description and a copy of the first point boundaries', () => {
    const boundaries = [1, 5];
    const descriptor = describeMetric(
      handWritten([{ attributes: {}, boundaries }], { unit: 's', description: 'took' }),
    );
    expect(descriptor).toStrictEqual({
      name: 'custom',
      kind: 'histogram',
      unit: 's',
      description: 'took',
      boundaries: [1, 5],
    });
    boundaries.push(9);
    expect(descriptor.boundaries).toEqual([1, 5]);
    expect(Object.isFrozen(descriptor)).toBe(true);
  });
});
