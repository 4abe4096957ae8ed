import { describe, expect, it } from 'vitest';
import { MetricEvent } from '../events/index.js';
import { counter, type Metric } from '../metrics/index.js';
import { createTestRecorder } from '../testing/index.js';
import { copyChange, type MetricChange, MetricsRecorder, type RecorderView } from './index.js';

class Saved extends MetricEvent {}

class AuditingRecorder extends MetricsRecorder {
  readonly changes: MetricChange[] = [];
  protected override afterChange(change: MetricChange): void {
    this.changes.push(copyChange(change));
  }
}

describe('post-change hook', () => {
  it('calls an afterChange override once per metric that accepted the event', () => {
    const a = counter({ name: 'a', on: Saved });
    const b = counter({ name: 'b', on: Saved });
    const ignoring = counter({ name: 'ignoring', on: 'other' });
    const recorder = new AuditingRecorder('audited', {
      metrics: [a, ignoring, b],
      scheduler: 'sync',
    });
    recorder.start();
    const event = new Saved();
    recorder.registerEvent(event);
    recorder.registerEvent({ type: 'unrelated' });
    expect(recorder.changes.map((c) => c.metric)).toEqual([a, b]);
    expect(recorder.changes[0]).toEqual({
      recorder,
      metric: a,
      event,
      context: undefined,
      attributes: {},
      value: 1,
    });
  });

  it('sees the metric state already updated', () => {
    const values: unknown[] = [];
    const recorder = createTestRecorder([counter({ name: 'c', on: Saved })]);
    recorder.onChange((change) => values.push(change.metric.snapshot().points[0]));
    recorder.registerEvent(new Saved());
    expect(values).toEqual([{ attributes: {}, value: 1 }]);
  });

  it('calls onChange listeners after afterChange, with {recorder, metric, event, context, attributes, value}', async () => {
    const order: string[] = [];
    class Ordered extends MetricsRecorder {
      protected override afterChange(): void {
        order.push('afterChange');
      }
    }
    const metric = counter({ name: 'c', on: Saved });
    const recorder = new Ordered('r', { metrics: [metric] });
    const payloads: MetricChange[] = [];
    recorder.onChange((change) => {
      order.push('listener 1');
      payloads.push(copyChange(change));
    });
    recorder.onChange(() => order.push('listener 2'));
    recorder.setContextCapture(() => 'trace-42');
    recorder.start();
    const event = new Saved();
    recorder.registerEvent(event);
    await recorder.flush();
    expect(order).toEqual(['afterChange', 'listener 1', 'listener 2']);
    expect(payloads).toEqual([
      { recorder, metric, event, context: 'trace-42', attributes: {}, value: 1 },
    ]);
  });

  it('stops calling a listener once unsubscribed', () => {
    const recorder = createTestRecorder([counter({ name: 'c', on: Saved })]);
    let calls = 0;
    const unsubscribe = recorder.onChange(() => calls++);
    recorder.registerEvent(new Saved());
    unsubscribe();
    recorder.registerEvent(new Saved());
    expect(calls).toBe(1);
    unsubscribe();
    expect(calls).toBe(1);
  });

  it('contains a throwing listener: later listeners still run, the failure is counted and reported once', () => {
    const recorder = createTestRecorder([counter({ name: 'c', on: Saved })], { name: 'hooked' });
    let later = 0;
    recorder.onChange(() => {
      throw new Error('listener broke');
    });
    recorder.onChange(() => later++);
    recorder.registerEvent(new Saved());
    recorder.registerEvent(new Saved());
    expect(later).toBe(2);
    expect(recorder.stats()).toMatchObject({ failed: 2, accepted: 2 });
    expect(recorder.errors.map((e) => e.code)).toEqual(['listener-failed']);
    expect(recorder.errors[0]?.message).toMatch(/"hooked".*listener broke/);
  });

  it('processes events a listener registers, after the current one', () => {
    const seen: string[] = [];
    const metric: Metric = {
      name: 'seen',
      handleEvent: (e) => {
        seen.push((e as { type: string }).type);
        return true;
      },
      snapshot: () => ({ name: 'seen', kind: 'custom', points: [] }),
    };
    const recorder = createTestRecorder([metric]);
    recorder.onChange((change) => {
      if ((change.event as { type: string }).type === 'first') {
        recorder.registerEvent({ type: 'follow-up' });
      }
    });
    recorder.registerEvent({ type: 'first' });
    recorder.registerEvent({ type: 'second' });
    expect(seen).toEqual(['first', 'follow-up', 'second']);
  });
});

describe('end-of-batch notification', () => {
  it('fires once per processing batch with the number of events in it', async () => {
    const recorder = new MetricsRecorder('r', { metrics: [counter({ name: 'c', on: Saved })] });
    const batches: [RecorderView, number][] = [];
    recorder.onBatchEnd((r, n) => batches.push([r, n]));
    recorder.start();
    for (let i = 0; i < 5; i++) recorder.registerEvent(new Saved());
    await recorder.flush();
    expect(batches).toEqual([[recorder, 5]]);
  });

  it('fires after the changes of its batch, so a listener can coalesce them', async () => {
    const recorder = new MetricsRecorder('r', { metrics: [counter({ name: 'c', on: Saved })] });
    let dirty = 0;
    const flushedDirty: number[] = [];
    recorder.onChange(() => dirty++);
    recorder.onBatchEnd(() => {
      flushedDirty.push(dirty);
      dirty = 0;
    });
    recorder.start();
    for (let i = 0; i < 3; i++) recorder.registerEvent(new Saved());
    await recorder.flush();
    recorder.registerEvent(new Saved());
    await recorder.flush();
    expect(flushedDirty).toEqual([3, 1]);
  });

  it('stops after unsubscribe and contains a throwing listener', () => {
    const recorder = createTestRecorder([counter({ name: 'c', on: Saved })]);
    let calls = 0;
    const off = recorder.onBatchEnd(() => calls++);
    recorder.onBatchEnd(() => {
      throw new Error('batch listener broke');
    });
    recorder.registerEvent(new Saved());
    off();
    recorder.registerEvent(new Saved());
    expect(calls).toBe(1);
    expect(recorder.errors.map((e) => e.code)).toEqual(['listener-failed']);
    expect(recorder.stats().processed).toBe(2);
  });
});

describe('context capture', () => {
  it('carries what the capturer returned at registerEvent time, not at processing time', async () => {
    let ambient = 'request-1';
    const recorder = new MetricsRecorder('r', { metrics: [counter({ name: 'c', on: Saved })] });
    const contexts: unknown[] = [];
    recorder.onChange((change) => contexts.push(change.context));
    recorder.setContextCapture(() => ambient);
    recorder.start();
    recorder.registerEvent(new Saved());
    ambient = 'request-2';
    recorder.registerEvent(new Saved());
    ambient = 'later';
    await recorder.flush();
    expect(contexts).toEqual(['request-1', 'request-2']);
  });

  it('keeps contexts aligned with their events across a ring growth and drop-oldest eviction', async () => {
    let n = 0;
    const recorder = new MetricsRecorder('r', {
      metrics: [counter({ name: 'c', on: 'e' })],
      maxPendingEvents: 40,
      overflow: 'drop-oldest',
      onError: () => {},
    });
    const pairs: [unknown, unknown][] = [];
    recorder.onChange((change) =>
      pairs.push([(change.event as { id: number }).id, change.context]),
    );
    recorder.setContextCapture(() => `ctx-${n}`);
    recorder.start();
    for (n = 0; n < 50; n++) recorder.registerEvent({ type: 'e', id: n });
    await recorder.flush();
    expect(pairs).toEqual(Array.from({ length: 40 }, (_, i) => [i + 10, `ctx-${i + 10}`]));
  });

  it('contains a capturer that throws: the event still counts, context is undefined, reported once', () => {
    const recorder = createTestRecorder([counter({ name: 'c', on: Saved })]);
    const contexts: unknown[] = [];
    recorder.onChange((change) => contexts.push(change.context));
    recorder.setContextCapture(() => {
      throw new Error('no context');
    });
    expect(() => recorder.registerEvent(new Saved())).not.toThrow();
    recorder.registerEvent(new Saved());
    expect(contexts).toEqual([undefined, undefined]);
    expect(recorder.errors.map((e) => e.code)).toEqual(['context-capture-failed']);
  });

  it('stops capturing once the capturer is removed', () => {
    const recorder = createTestRecorder([counter({ name: 'c', on: Saved })]);
    const contexts: unknown[] = [];
    recorder.onChange((change) => contexts.push(change.context));
    recorder.setContextCapture(() => 'ctx');
    recorder.registerEvent(new Saved());
    recorder.setContextCapture(undefined);
    recorder.registerEvent(new Saved());
    expect(contexts).toEqual(['ctx', undefined]);
  });
});

describe('processPending from inside a hook', () => {
  it('does not start a nested drain, so every metric still sees events in registration order', async () => {
    const seenByLast: number[] = [];
    const recorder = new MetricsRecorder('r', {
      metrics: [
        counter({ name: 'first', on: () => true }),
        {
          name: 'last',
          handleEvent: (e) => {
            seenByLast.push((e as { id: number }).id);
            return true;
          },
          snapshot: () => ({ name: 'last', kind: 'custom', points: [] }),
        },
      ],
    });
    let calls = 0;
    recorder.onChange((change) => {
      if (change.metric.name === 'first' && calls++ === 0) recorder.processPending();
    });
    recorder.start();
    for (let id = 0; id < 3; id++) recorder.registerEvent({ id });
    await recorder.flush();
    expect(seenByLast).toEqual([0, 1, 2]);
    recorder.registerEvent({ id: 3 });
    recorder.processPending();
    expect(seenByLast).toEqual([0, 1, 2, 3]);
  });
});
