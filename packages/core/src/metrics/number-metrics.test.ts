import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { MetricEvent } from '../events/index.js';
import { createTestRecorder, pointValue } from '../testing/index.js';
import { counter, gauge, upDownCounter } from './index.js';

class SaveAttempt extends MetricEvent {
  constructor(
    readonly outcome: 'success' | 'failure',
    readonly bytes = 0,
  ) {
    super();
  }
}
class ConnectionChange extends MetricEvent {
  constructor(readonly delta: number) {
    super();
  }
}
class QueueDepth extends MetricEvent {
  constructor(
    readonly queue: string,
    readonly depth: number,
  ) {
    super();
  }
}

describe('counter', () => {
  it('adds 1 per accepted event to the point named by its attributes', () => {
    const recorder = createTestRecorder([
      counter({
        name: 'save.attempts',
        on: SaveAttempt,
        attributes: (e) => ({ outcome: e.outcome }),
      }),
    ]);
    recorder.registerEvent(new SaveAttempt('success'));
    recorder.registerEvent(new SaveAttempt('success'));
    recorder.registerEvent(new SaveAttempt('failure'));
    expect(pointValue(recorder, 'save.attempts', { outcome: 'success' })).toBe(2);
    expect(pointValue(recorder, 'save.attempts', { outcome: 'failure' })).toBe(1);
  });

  it('adds value(event) when given one', () => {
    const recorder = createTestRecorder([
      counter({ name: 'save.bytes', unit: 'By', on: SaveAttempt, value: (e) => e.bytes }),
    ]);
    recorder.registerEvent(new SaveAttempt('success', 100));
    recorder.registerEvent(new SaveAttempt('success', 23));
    expect(pointValue(recorder, 'save.bytes')).toBe(123);
  });

  it('has a single point at zero before its first event when it has no attributes', () => {
    const recorder = createTestRecorder([counter({ name: 'save.attempts', on: SaveAttempt })]);
    expect(recorder.getMetricSnapshots()).toEqual([
      {
        name: 'save.attempts',
        kind: 'counter',
        points: [{ attributes: {}, value: 0 }],
        dropped: 0,
      },
    ]);
  });

  it('shows `initial` points at zero before any event, then counts into them', () => {
    const recorder = createTestRecorder([
      counter({
        name: 'save.attempts',
        on: SaveAttempt,
        attributes: (e) => ({ outcome: e.outcome }),
        initial: [{ outcome: 'success' }, { outcome: 'failure' }],
      }),
    ]);
    expect(recorder.getMetricSnapshots()[0]?.points).toEqual([
      { attributes: { outcome: 'success' }, value: 0 },
      { attributes: { outcome: 'failure' }, value: 0 },
    ]);
    recorder.registerEvent(new SaveAttempt('failure'));
    expect(recorder.getMetricSnapshots()[0]?.points).toEqual([
      { attributes: { outcome: 'success' }, value: 0 },
      { attributes: { outcome: 'failure' }, value: 1 },
    ]);
  });

  it('carries unit and description into its snapshot', () => {
    const recorder = createTestRecorder([
      counter({
        name: 'save.bytes',
        description: 'Bytes written by saves',
        unit: 'By',
        on: SaveAttempt,
      }),
    ]);
    const [snapshot] = recorder.getMetricSnapshots();
    expect(snapshot?.unit).toBe('By');
    expect(snapshot?.description).toBe('Bytes written by saves');
    expect(snapshot?.kind).toBe('counter');
  });

  it('ignores events it does not select and reports them as ignored', () => {
    const recorder = createTestRecorder([counter({ name: 'save.attempts', on: SaveAttempt })]);
    recorder.registerEvent(new QueueDepth('q', 1));
    expect(pointValue(recorder, 'save.attempts')).toBe(0);
    expect(recorder.stats()).toMatchObject({ processed: 1, accepted: 0, ignored: 1 });
  });
});

describe('upDownCounter', () => {
  it('adds signed deltas', () => {
    const recorder = createTestRecorder([
      upDownCounter({ name: 'connections.open', on: ConnectionChange, value: (e) => e.delta }),
    ]);
    for (const delta of [1, 1, 1, -1, -1]) recorder.registerEvent(new ConnectionChange(delta));
    expect(pointValue(recorder, 'connections.open')).toBe(1);
    recorder.registerEvent(new ConnectionChange(-3));
    expect(pointValue(recorder, 'connections.open')).toBe(-2);
    expect(recorder.getMetricSnapshots()[0]?.kind).toBe('upDownCounter');
  });

  it('adds 1 per event without value()', () => {
    const recorder = createTestRecorder([upDownCounter({ name: 'in.flight', on: 'start' })]);
    recorder.registerEvent({ type: 'start' });
    recorder.registerEvent({ type: 'start' });
    expect(pointValue(recorder, 'in.flight')).toBe(2);
  });
});

describe('gauge', () => {
  it('keeps the last value per point', () => {
    const recorder = createTestRecorder([
      gauge({
        name: 'queue.depth',
        on: QueueDepth,
        attributes: (e) => ({ queue: e.queue }),
        value: (e) => e.depth,
      }),
    ]);
    recorder.registerEvent(new QueueDepth('a', 5));
    recorder.registerEvent(new QueueDepth('b', 7));
    recorder.registerEvent(new QueueDepth('a', 2));
    expect(pointValue(recorder, 'queue.depth', { queue: 'a' })).toBe(2);
    expect(pointValue(recorder, 'queue.depth', { queue: 'b' })).toBe(7);
    expect(recorder.getMetricSnapshots()[0]?.kind).toBe('gauge');
  });

  it('refuses to be defined without value()', () => {
    expect(() => gauge({ name: 'queue.depth', on: QueueDepth })).toThrow(MetricsWiringError);
  });
});

describe('bad values never poison state', () => {
  it('drops NaN, ±Infinity and non-numbers, counts them per metric and reports once per kind', () => {
    const values: unknown[] = [1, Number.NaN, Number.POSITIVE_INFINITY, 'seven', 2, -Infinity];
    let i = 0;
    const recorder = createTestRecorder(
      [counter({ name: 'save.bytes', on: SaveAttempt, value: () => values[i++] as number })],
      { name: 'storage' },
    );
    for (let n = 0; n < values.length; n++) recorder.registerEvent(new SaveAttempt('success'));
    const [snapshot] = recorder.getMetricSnapshots();
    expect(snapshot?.points).toEqual([{ attributes: {}, value: 3 }]);
    expect(snapshot?.dropped).toBe(4);
    expect(recorder.errors.map((e) => e.code)).toEqual(['invalid-value']);
    expect(recorder.errors[0]?.message).toContain('"save.bytes"');
    expect(recorder.errors[0]?.message).toContain('"storage"');
    expect(recorder.errors[0]?.message).toContain('NaN');
    expect(recorder.stats()).toMatchObject({ processed: 6, accepted: 2, failed: 0 });
  });

  it('names each bad value kind in its report (Infinity, a string)', () => {
    for (const [bad, shown] of [
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
      ['seven', '"seven"'],
      [undefined, 'undefined'],
    ] as const) {
      const recorder = createTestRecorder([
        gauge({ name: 'queue.depth', on: QueueDepth, value: () => bad as unknown as number }),
      ]);
      recorder.registerEvent(new QueueDepth('a', 1));
      expect(recorder.errors).toHaveLength(1);
      expect(recorder.errors[0]?.code).toBe('invalid-value');
      expect(recorder.errors[0]?.message).toContain(shown);
      expect(pointValue(recorder, 'queue.depth')).toBe(0);
    }
  });

  it('drops a negative counter increment, reports it once and keeps counting', () => {
    const recorder = createTestRecorder(
      [counter({ name: 'save.bytes', on: SaveAttempt, value: (e) => e.bytes })],
      { name: 'storage' },
    );
    recorder.registerEvent(new SaveAttempt('success', 10));
    recorder.registerEvent(new SaveAttempt('success', -4));
    recorder.registerEvent(new SaveAttempt('success', -5));
    recorder.registerEvent(new SaveAttempt('success', 1));
    expect(pointValue(recorder, 'save.bytes')).toBe(11);
    expect(recorder.getMetricSnapshots()[0]?.dropped).toBe(2);
    expect(recorder.errors).toHaveLength(1);
    expect(recorder.errors[0]?.code).toBe('negative-increment');
    expect(recorder.errors[0]?.message).toMatch(/save\.bytes.*storage.*-4/);
  });

  it('reports a negative increment and a NaN separately: once per kind', () => {
    const values = [-1, Number.NaN, -2, Number.NaN, 3];
    let i = 0;
    const recorder = createTestRecorder([
      counter({ name: 'c', on: SaveAttempt, value: () => values[i++] as number }),
    ]);
    for (let n = 0; n < values.length; n++) recorder.registerEvent(new SaveAttempt('success'));
    expect(recorder.errors.map((e) => e.code)).toEqual(['negative-increment', 'invalid-value']);
    expect(pointValue(recorder, 'c')).toBe(3);
    expect(recorder.getMetricSnapshots()[0]?.dropped).toBe(4);
  });
});

describe('metric definition errors', () => {
  it('throws MetricsWiringError for a missing `on`, bad options or a bad cardinality limit', () => {
    expect(() => counter({ name: 'x' } as never)).toThrow(MetricsWiringError);
    expect(() => counter(null as never)).toThrow(MetricsWiringError);
    expect(() => counter({ name: 'x', on: 'e', cardinalityLimit: 1 })).toThrow(/cardinalityLimit/);
    expect(() => counter({ name: 'x', on: 'e', cardinalityLimit: 2.5 })).toThrow(
      MetricsWiringError,
    );
  });
});
