import {
  counter,
  gauge,
  histogram,
  type MetricsError,
  MetricsRecorder,
  MetricsRuntime,
  MetricsWiringError,
} from '@mvx-metrics/core';
import { describe, expect, it } from 'vitest';

/** Runs `wire`, expects a MetricsWiringError, and returns it for assertions on the message. */
function wiringError(wire: () => unknown): MetricsWiringError {
  try {
    wire();
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsWiringError);
    expect(error).toBeInstanceOf(Error);
    return error as MetricsWiringError;
  }
  throw new Error('expected a MetricsWiringError, nothing was thrown');
}

describe('wiring mistakes throw clear errors naming the thing and the fix', () => {
  it.each([['1starts.with.digit'], [''], ['has space'], ['x'.repeat(256)], ['emoji.😀']])(
    'rejects the metric name %j',
    (name) => {
      const error = wiringError(() => counter({ name, on: 'x' }));
      expect(error.code).toBe('invalid-metric-name');
      expect(error.message).toContain(`Invalid metric name ${JSON.stringify(name)}`);
      expect(error.message).toContain('OpenTelemetry instrument-name rule');
      expect(error.message).toContain('e.g. "document.save.attempts"');
    },
  );

  it('rejects a runtime namespace that is not an instrument name', () => {
    const error = wiringError(() => new MetricsRuntime({ namespace: 'my service' }));
    expect(error.code).toBe('invalid-option');
    expect(error.message).toContain('namespace');
    expect(error.message).toContain('"my service"');
    expect(error.message).toContain('e.g. "docs"');
  });

  it('rejects a duplicate metric name in one recorder, naming both', () => {
    const runtime = new MetricsRuntime({ namespace: 'rel' });
    const error = wiringError(() =>
      runtime.createRecorder('storage', {
        metrics: [
          counter({ name: 'saves', on: 'x' }),
          gauge({ name: 'saves', on: 'x', value: () => 1 }),
        ],
      }),
    );
    expect(error.code).toBe('duplicate-metric');
    expect(error.message).toBe(
      'Recorder "storage" already has a metric named "saves": give each metric of a recorder its own name.',
    );
  });

  it('rejects a recorder name already taken and points to getRecorder', () => {
    const runtime = new MetricsRuntime({ namespace: 'rel' });
    runtime.createRecorder('storage');
    const error = wiringError(() => runtime.createRecorder('storage'));
    expect(error.code).toBe('recorder-name-taken');
    expect(error.message).toContain('"storage" is already taken in runtime "rel"');
    expect(error.message).toContain('getRecorder("storage")');
  });

  it('rejects createRecorder after shutdown, while registerEvent after shutdown is only counted', async () => {
    const errors: MetricsError[] = [];
    const runtime = new MetricsRuntime({ namespace: 'rel', onError: (e) => errors.push(e) });
    runtime.start();
    const recorder = runtime.createRecorder('storage', {
      metrics: [counter({ name: 'c', on: 'x' })],
    });
    await runtime.shutdown();
    const error = wiringError(() => runtime.createRecorder('late'));
    expect(error.code).toBe('runtime-shut-down');
    expect(error.message).toContain('Cannot create recorder "late"');
    expect(error.message).toContain('Create recorders before shutdown()');

    expect(() => recorder.registerEvent({ type: 'x' })).not.toThrow();
    expect(recorder.stats()).toMatchObject({ rejected: 1, registered: 0 });
    expect(errors.map((e) => e.code)).toEqual(['event-after-stop']);
    expect(errors[0]?.message).toContain('Recorder "storage" is stopped');
  });

  it('rejects metric options without `on`, a histogram without `value`, bad buckets and a bad cardinality limit', () => {
    const noOn = wiringError(() => counter({ name: 'c' } as never));
    expect(noOn.message).toBe(
      'Metric "c" needs `on`: an event class, a type string or a predicate, got undefined.',
    );
    const noValue = wiringError(() => histogram({ name: 'h', on: 'x' }));
    expect(noValue.message).toBe('Metric "h" needs `value: (event) => number`.');
    const buckets = wiringError(() =>
      histogram({ name: 'h', on: 'x', value: () => 1, buckets: [1, 1] }),
    );
    expect(buckets.message).toContain('Histogram "h": buckets must be strictly increasing');
    const limit = wiringError(() => counter({ name: 'c', on: 'x', cardinalityLimit: 1 }));
    expect(limit.message).toContain('cardinalityLimit must be an integer >= 2, got 1');
  });

  it('rejects bad recorder options and a non-metric passed to addMetric', () => {
    const capacity = wiringError(() => new MetricsRecorder('r', { maxPendingEvents: 0 }));
    expect(capacity.message).toContain(
      'Recorder "r": maxPendingEvents must be a positive integer, got 0',
    );
    const overflow = wiringError(() => new MetricsRecorder('r', { overflow: 'drop-all' as never }));
    expect(overflow.message).toContain("overflow must be 'drop-newest' or 'drop-oldest'");
    const recorder = new MetricsRecorder('r');
    const notMetric = wiringError(() => recorder.addMetric({ name: 'm' } as never));
    expect(notMetric.message).toContain(
      'addMetric needs an object with name, handleEvent(event) and snapshot()',
    );
    const name = wiringError(() => new MetricsRecorder(''));
    expect(name.code).toBe('invalid-recorder-name');
  });
});
