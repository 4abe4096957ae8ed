// createTestRecorder hands its options to a real recorder (checked there, as in production) and
// names itself in its own refusals; pointValue's error lists what the recorder does have; the
// kept-change detector is on by default when called with no argument.
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsError, MetricsWiringError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import type { MetricChange } from '../recorder/index.js';
import { createTestRecorder, detectKeptChanges, pointValue } from './index.js';

afterEach(() => {
  detectKeptChanges(false);
});

describe('createTestRecorder options', () => {
  it('refuses options that are not an object, naming createTestRecorder', () => {
    expect(() => createTestRecorder([], 5 as never)).toThrow(
      new MetricsWiringError(
        'invalid-option',
        'createTestRecorder: options must be an object, got 5.',
      ),
    );
  });

  it('passes the clock to the recorder, which checks it like any recorder would', () => {
    let calls = 0;
    createTestRecorder([], {
      clock: () => {
        calls++;
        return 0;
      },
    });
    expect(calls).toBeGreaterThan(0);
    expect(() => createTestRecorder([], { clock: () => Number.NaN })).toThrow(/`clock`/);
  });
});

describe('pointValue', () => {
  it('on a recorder without metrics says it has none', () => {
    const recorder = createTestRecorder([]);
    expect(() => pointValue(recorder, 'missing')).toThrow(
      'No metric named "missing"; the recorder has: none.',
    );
    const withOne = createTestRecorder([counter({ name: 'hits', on: 'hit' })]);
    expect(() => pointValue(withOne, 'missing')).toThrow(
      'No metric named "missing"; the recorder has: hits.',
    );
  });
});

describe('detectKeptChanges()', () => {
  it('with no argument turns detection on and returns the previous setting', () => {
    expect(detectKeptChanges()).toBe(false);
    const recorder = createTestRecorder([counter({ name: 'hits', on: 'hit' })]);
    const kept: MetricChange[] = [];
    recorder.onChange((change) => kept.push(change), { transient: true });
    recorder.registerEvent({ type: 'hit' });
    expect(kept).toHaveLength(1);
    expect(() => kept[0]?.value).toThrow(MetricsError);
    expect(detectKeptChanges(false)).toBe(true);
  });
});
