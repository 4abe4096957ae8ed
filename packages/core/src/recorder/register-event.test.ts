import { describe, expect, it } from 'vitest';
import type { MetricsError } from '../errors/index.js';
import { MetricEvent } from '../events/index.js';
import { counter, type Metric } from '../metrics/index.js';
import { MetricsRecorder } from './index.js';

class Ping extends MetricEvent {
  constructor(readonly id = 0) {
    super();
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A metric that notes whether it runs while `registerEvent` is still on the stack. */
function stackProbe() {
  const probe = { insideRegister: false, calls: [] as boolean[] };
  const metric: Metric = {
    name: 'probe',
    handleEvent: () => {
      probe.calls.push(probe.insideRegister);
      return true;
    },
    snapshot: () => ({ name: 'probe', kind: 'counter', points: [] }),
  };
  return { probe, metric };
}

function collecting(options: ConstructorParameters<typeof MetricsRecorder>[1] = {}) {
  const errors: MetricsError[] = [];
  const recorder = new MetricsRecorder('storage', {
    ...options,
    onError: (error) => errors.push(error),
  });
  return { recorder, errors };
}

describe('registerEvent', () => {
  it('never runs a metric on the caller`s stack with the default scheduler', async () => {
    const { probe, metric } = stackProbe();
    const recorder = new MetricsRecorder('r', { metrics: [metric] });
    recorder.start();
    probe.insideRegister = true;
    recorder.registerEvent(new Ping());
    recorder.registerEvent(new Ping());
    probe.insideRegister = false;
    expect(probe.calls).toEqual([]);
    await recorder.flush();
    expect(probe.calls).toEqual([false, false]);
  });

  it('runs metrics inside registerEvent with the sync scheduler', () => {
    const { probe, metric } = stackProbe();
    const recorder = new MetricsRecorder('r', { metrics: [metric], scheduler: 'sync' });
    recorder.start();
    probe.insideRegister = true;
    recorder.registerEvent(new Ping());
    probe.insideRegister = false;
    expect(probe.calls).toEqual([true]);
  });

  it('processes events in registration order', async () => {
    const seen: number[] = [];
    const recorder = new MetricsRecorder('r', {
      metrics: [
        {
          name: 'order',
          handleEvent: (e) => {
            seen.push((e as Ping).id);
            return true;
          },
          snapshot: () => ({ name: 'order', kind: 'custom', points: [] }),
        },
      ],
    });
    recorder.start();
    for (let i = 0; i < 1000; i++) recorder.registerEvent(new Ping(i));
    await recorder.flush();
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('keeps events registered before start() and processes them once started', async () => {
    const recorder = new MetricsRecorder('r', { metrics: [counter({ name: 'c', on: Ping })] });
    recorder.registerEvent(new Ping());
    await turn();
    expect(recorder.stats()).toMatchObject({ registered: 1, processed: 0, pending: 1 });
    recorder.start();
    await recorder.flush();
    expect(recorder.stats()).toMatchObject({ registered: 1, processed: 1, pending: 0 });
  });

  it('rejects null and primitives without throwing, counts them and reports the kind once', () => {
    const { recorder, errors } = collecting({ scheduler: 'sync' });
    recorder.start();
    const bad: unknown[] = [null, undefined, 42, 'event', true, Symbol('s'), 10n];
    for (const value of bad) {
      expect(() => recorder.registerEvent(value as object)).not.toThrow();
    }
    expect(recorder.stats()).toMatchObject({ rejected: bad.length, registered: 0, processed: 0 });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('invalid-event');
    expect(errors[0]?.message).toContain('"storage"');
    expect(errors[0]?.message).toContain('null');
  });

  it('rejects an event after stop without throwing, counts it and reports it once', async () => {
    const { recorder, errors } = collecting();
    recorder.start();
    await recorder.stop();
    recorder.registerEvent(new Ping());
    recorder.registerEvent(new Ping());
    expect(recorder.stats()).toMatchObject({ rejected: 2, registered: 0, pending: 0 });
    expect(errors.map((e) => e.code)).toEqual(['event-after-stop']);
    expect(errors[0]?.message).toMatch(/"storage".*stopped.*Ping/);
  });

  it('contains an error handler that throws', () => {
    const recorder = new MetricsRecorder('r', {
      scheduler: 'sync',
      onError: () => {
        throw new Error('handler broke');
      },
      metrics: [counter({ name: 'c', on: Ping, value: () => Number.NaN })],
    });
    recorder.start();
    expect(() => recorder.registerEvent(null as unknown as object)).not.toThrow();
    expect(() => recorder.registerEvent(new Ping())).not.toThrow();
    expect(recorder.stats()).toMatchObject({ rejected: 1, processed: 1 });
  });
});

describe('flush', () => {
  it('resolves once every event registered before the call is processed', async () => {
    const recorder = new MetricsRecorder('r', { metrics: [counter({ name: 'c', on: Ping })] });
    recorder.start();
    for (let i = 0; i < 10; i++) recorder.registerEvent(new Ping());
    const flushed = recorder.flush();
    expect(recorder.stats().processed).toBe(0);
    await flushed;
    expect(recorder.stats()).toMatchObject({ processed: 10, pending: 0 });
    expect(recorder.getMetricSnapshots()[0]?.points[0]).toEqual({ attributes: {}, value: 10 });
  });

  it('resolves at once when nothing is pending', async () => {
    const recorder = new MetricsRecorder('r');
    await expect(recorder.flush()).resolves.toBeUndefined();
  });

  it('resolves flushes in order, each after its own events', async () => {
    const recorder = new MetricsRecorder('r', { metrics: [counter({ name: 'c', on: Ping })] });
    recorder.start();
    const seenAt: number[] = [];
    recorder.registerEvent(new Ping());
    const first = recorder.flush().then(() => seenAt.push(recorder.stats().processed));
    recorder.registerEvent(new Ping());
    recorder.registerEvent(new Ping());
    const second = recorder.flush().then(() => seenAt.push(recorder.stats().processed));
    await Promise.all([first, second]);
    expect(seenAt[0]).toBeGreaterThanOrEqual(1);
    expect(seenAt[1]).toBe(3);
  });
});

describe('stats', () => {
  it('keeps registered = processed + dropped + pending, and accepted + ignored = processed', async () => {
    const recorder = new MetricsRecorder('r', {
      metrics: [counter({ name: 'c', on: Ping })],
      maxPendingEvents: 4,
      onError: () => {},
    });
    recorder.start();
    for (let i = 0; i < 6; i++) recorder.registerEvent(i % 2 === 0 ? new Ping() : { type: 'x' });
    const during = recorder.stats();
    expect(during).toEqual({
      registered: 6,
      processed: 0,
      accepted: 0,
      ignored: 0,
      dropped: 2,
      failed: 0,
      rejected: 0,
      pending: 4,
      capacity: 4,
    });
    await recorder.flush();
    const after = recorder.stats();
    expect(after.registered).toBe(after.processed + after.dropped + after.pending);
    expect(after).toMatchObject({ processed: 4, accepted: 2, ignored: 2, pending: 0 });
  });
});
