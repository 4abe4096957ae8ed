import {
  counter,
  type Metric,
  type MetricChange,
  type MetricsError,
  MetricsRecorder,
  MetricsRuntime,
  type NumberPoint,
} from '@mvx-metrics/core';
import { afterEach, describe, expect, it } from 'vitest';

interface Numbered {
  type: 'n';
  id: number;
}

const runtimes: MetricsRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.shutdown()));
});

function runtimeWith(onError: (e: MetricsError) => void): MetricsRuntime {
  const runtime = new MetricsRuntime({ namespace: 'rel', onError });
  runtimes.push(runtime);
  runtime.start();
  return runtime;
}

/** Throws on every event whose id is a multiple of `every`; counts the rest. */
function flaky(every: number): Metric {
  let seen = 0;
  return {
    name: 'flaky',
    handleEvent(event) {
      if ((event as Numbered).type !== 'n') return false;
      if ((event as Numbered).id % every === 0)
        throw new Error(`flaky on ${(event as Numbered).id}`);
      seen++;
      return true;
    },
    snapshot: () => ({ name: 'flaky', kind: 'counter', points: [{ attributes: {}, value: seen }] }),
  };
}

const all = () => counter({ name: 'all', on: 'n' });
const total = (recorder: MetricsRecorder, metric = 'all'): number | undefined =>
  (recorder.getMetricSnapshots().find((s) => s.name === metric)!.points[0] as NumberPoint).value;

describe('faults are isolated, counted and reported once per kind', () => {
  it('keeps the other metrics and recorders working when a metric throws on some events', async () => {
    const errors: MetricsError[] = [];
    const runtime = runtimeWith((e) => errors.push(e));
    const a = runtime.createRecorder('a', { metrics: () => [flaky(3), all()] });
    const b = runtime.createRecorder('b', { metrics: () => [all()] });
    for (let id = 1; id <= 300; id++) {
      a.registerEvent({ type: 'n', id });
      b.registerEvent({ type: 'n', id });
    }
    await Promise.all([a.flush(), b.flush()]);
    expect(total(a)).toBe(300);
    expect(total(a, 'flaky')).toBe(200);
    expect(total(b)).toBe(300);
    expect(a.stats()).toMatchObject({ processed: 300, accepted: 300, failed: 100 });
    expect(b.stats()).toMatchObject({ processed: 300, failed: 0 });
    expect(errors.map((e) => e.message)).toEqual([
      'Metric "flaky" in recorder "a" threw on event n: flaky on 3',
    ]);
    expect((errors[0]!.cause as Error).message).toBe('flaky on 3');
  });

  it('keeps processing when a change listener, an afterChange override and a batch listener throw', async () => {
    const errors: MetricsError[] = [];
    class Hooked extends MetricsRecorder {
      protected override afterChange(change: MetricChange): void {
        if ((change.event as Numbered).id % 2 === 0) throw new Error('afterChange exploded');
      }
    }
    const recorder = new Hooked('hooked', { metrics: [all()], onError: (e) => errors.push(e) });
    const good: number[] = [];
    recorder.onChange(() => {
      throw new Error('listener exploded');
    });
    recorder.onChange((change) => good.push((change.event as Numbered).id));
    recorder.onBatchEnd(() => {
      throw new Error('batch listener exploded');
    });
    let batches = 0;
    recorder.onBatchEnd(() => batches++);
    recorder.start();
    for (let id = 1; id <= 10; id++) recorder.registerEvent({ type: 'n', id });
    await recorder.flush();
    await recorder.stop();
    expect(good).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(total(recorder)).toBe(10);
    // 5 afterChange + 10 listener failures, plus one per batch of the batch listener
    expect(batches).toBeGreaterThan(0);
    expect(recorder.stats().failed).toBe(15 + batches);
    expect(errors.map((e) => e.code)).toEqual([
      'listener-failed',
      'listener-failed',
      'listener-failed',
    ]);
    expect(errors.map((e) => e.message).sort()).toEqual([
      'A post-change afterChange of recorder "hooked" threw: afterChange exploded',
      'A post-change onBatchEnd listener of recorder "hooked" threw: batch listener exploded',
      'A post-change onChange listener of recorder "hooked" threw: listener exploded',
    ]);
  });

  it('survives an error handler that throws, in a runtime and in a bare recorder', async () => {
    let calls = 0;
    const throwingHandler = () => {
      calls++;
      throw new Error('handler exploded');
    };
    const runtime = runtimeWith(throwingHandler);
    const inRuntime = runtime.createRecorder('r', { metrics: () => [flaky(2), all()] });
    const bare = new MetricsRecorder('bare', {
      metrics: [flaky(2), all()],
      onError: throwingHandler,
    });
    bare.start();
    for (const recorder of [inRuntime, bare]) {
      for (let id = 1; id <= 20; id++)
        expect(() => recorder.registerEvent({ type: 'n', id })).not.toThrow();
      expect(() => recorder.registerEvent(null as never)).not.toThrow();
      await recorder.flush();
      expect(total(recorder)).toBe(20);
      expect(recorder.stats()).toMatchObject({ processed: 20, failed: 10, rejected: 1 });
    }
    await bare.stop();
    expect(calls).toBe(4); // metric-failed + invalid-event, once per recorder
  });

  it('isolates a metric whose snapshot() throws', () => {
    const errors: MetricsError[] = [];
    const broken: Metric = {
      name: 'broken',
      handleEvent: () => false,
      snapshot: () => {
        throw new Error('snapshot exploded');
      },
    };
    const recorder = new MetricsRecorder('r', {
      metrics: [broken, all()],
      onError: (e) => errors.push(e),
    });
    expect(recorder.getMetricSnapshots().map((s) => s.name)).toEqual(['all']);
    expect(recorder.getMetricSnapshots().map((s) => s.name)).toEqual(['all']);
    expect(errors.map((e) => e.message)).toEqual([
      'Metric "broken" in recorder "r" threw from snapshot(): snapshot exploded',
    ]);
  });

  it('still creates the recorder when an onRecorderAdded listener throws, and still processes when the context capturer throws', async () => {
    const errors: MetricsError[] = [];
    const runtime = runtimeWith((e) => errors.push(e));
    runtime.onRecorderAdded(() => {
      throw new Error('added listener exploded');
    });
    const contexts: unknown[] = [];
    runtime.setContextCapture(() => {
      throw new Error('capture exploded');
    });
    const recorder = runtime.createRecorder('r', { metrics: () => [all()] });
    recorder.onChange((change) => contexts.push(change.context));
    recorder.registerEvent({ type: 'n', id: 1 });
    recorder.registerEvent({ type: 'n', id: 2 });
    await recorder.flush();
    expect(total(recorder)).toBe(2);
    expect(contexts).toEqual([undefined, undefined]);
    expect(errors.map((e) => e.code)).toEqual(['listener-failed', 'context-capture-failed']);
    expect(errors[0]?.message).toContain(
      'onRecorderAdded listener of runtime "rel" threw for recorder "r"',
    );
  });
});
