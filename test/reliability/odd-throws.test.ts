import {
  connectRecorder,
  counter,
  type Metric,
  type MetricsError,
  MetricsRuntime,
  type NumberPoint,
} from '@mvx-metrics/core';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { oddThrown, oddThrownExamples } from '../support/odd-values.js';

// Item 1 of issue 13: a metric, listener, capturer or handler that throws something odd (a
// revoked Proxy, an Error whose getters throw, a throwing Symbol.toPrimitive, ...) is counted
// and reported like any failure; nothing reaches the producer's stack or the event loop.

const escaped: unknown[] = [];
const onEscape = (error: unknown) => escaped.push(error);
beforeEach(() => {
  escaped.length = 0;
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
});
afterEach(() => {
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
});

/**
 * Rejects instead of hanging when `promise` does not settle in time. The bound tells a hang from
 * a slow machine: it settles in milliseconds, but a CI run at load 22 once took over 2 s.
 */
function within<T>(promise: Promise<T>, ms = 20_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`not settled in ${ms} ms`)), ms),
    ),
  ]);
}

function throwing(name: string, make: () => unknown): Metric {
  return {
    name,
    handleEvent() {
      throw make();
    },
    snapshot() {
      throw make();
    },
  };
}

const total = (snapshots: { name: string; points: unknown[] }[], name: string) =>
  (snapshots.find((s) => s.name === name)?.points[0] as NumberPoint | undefined)?.value;

describe('odd thrown values are contained', () => {
  it('keeps every recorder of the runtime processing and flush() resolving, whatever a metric or hook throws', async () => {
    await fc.assert(
      fc.asyncProperty(oddThrown(), fc.integer({ min: 1, max: 300 }), async (make, events) => {
        const errors: MetricsError[] = [];
        const runtime = new MetricsRuntime({
          namespace: 'odd',
          onError: (error) => {
            errors.push(error);
            throw make(); // the handler is hostile too
          },
        });
        runtime.start();
        const bad = runtime.createRecorder('bad', {
          metrics: () => [throwing('thrower', make), counter({ name: 'all', on: 'n' })],
        });
        const good = runtime.createRecorder('good', {
          metrics: () => [counter({ name: 'all', on: 'n' })],
        });
        bad.onChange(() => {
          throw make();
        });
        bad.onBatchEnd(() => {
          throw make();
        });
        for (let i = 0; i < events; i++) {
          bad.registerEvent({ type: 'n' });
          good.registerEvent({ type: 'n' });
        }
        await within(Promise.all([bad.flush(), good.flush()]));
        expect(total(good.getMetricSnapshots(), 'all')).toBe(events);
        expect(total(bad.getMetricSnapshots(), 'all')).toBe(events);
        const stats = bad.stats();
        expect(stats.registered).toBe(stats.processed + stats.dropped + stats.pending);
        expect(stats.processed).toBe(events);
        expect(stats.failed).toBeGreaterThanOrEqual(events * 2);
        expect(errors.map((e) => e.code)).toEqual(
          expect.arrayContaining(['metric-failed', 'listener-failed']),
        );
        await within(runtime.shutdown());
      }),
      { numRuns: 40 },
    );
    expect(escaped).toEqual([]);
  });

  it.each(['sync', 'immediate'] as const)(
    'never throws from registerEvent when the context capturer throws an odd value (%s scheduler)',
    async (scheduler) => {
      for (const [name, make] of Object.entries(oddThrownExamples)) {
        const errors: MetricsError[] = [];
        const runtime = new MetricsRuntime({
          namespace: 'odd',
          scheduler,
          onError: (e) => errors.push(e),
        });
        runtime.start();
        const recorder = runtime.createRecorder('r', {
          metrics: () => [counter({ name: 'all', on: 'n' })],
        });
        runtime.setContextCapture(() => {
          throw make();
        });
        expect(() => recorder.registerEvent({ type: 'n' }), name).not.toThrow();
        await within(recorder.flush());
        expect(total(recorder.getMetricSnapshots(), 'all'), name).toBe(1);
        expect(
          errors.map((e) => e.code),
          name,
        ).toContain('context-capture-failed');
        await runtime.shutdown();
      }
      expect(escaped).toEqual([]);
    },
  );

  it('reports an onRecorderAdded listener that throws an odd value and keeps the recorder', () => {
    for (const make of Object.values(oddThrownExamples)) {
      const errors: MetricsError[] = [];
      const runtime = new MetricsRuntime({ namespace: 'odd', onError: (e) => errors.push(e) });
      runtime.onRecorderAdded(() => {
        throw make();
      });
      expect(() => runtime.createRecorder('r')).not.toThrow();
      expect(runtime.getRecorder('r')).toBeDefined();
      expect(errors.map((e) => e.code)).toEqual(['listener-failed']);
    }
  });

  it('keeps the shared scheduler running when a task throws: other recorders still flush', async () => {
    const errors: MetricsError[] = [];
    const runtime = new MetricsRuntime({ namespace: 'odd', onError: (e) => errors.push(e) });
    runtime.start();
    const recorder = runtime.createRecorder('r', {
      metrics: () => [counter({ name: 'all', on: 'n' })],
    });
    let visits = 0;
    runtime.scheduler.schedule({
      drain() {
        visits++;
        throw oddThrownExamples.revokedObject?.();
      },
    });
    for (let i = 0; i < 1000; i++) recorder.registerEvent({ type: 'n' });
    await within(recorder.flush());
    expect(total(recorder.getMetricSnapshots(), 'all')).toBe(1000);
    expect(visits).toBeGreaterThan(0);
    expect(errors.map((e) => e.code)).toContain('scheduler-task-failed');
    expect(escaped).toEqual([]);
  });

  it('accounts for every worker event whose send fails on an odd throw, and never throws to the producer', async () => {
    for (const [name, make] of Object.entries(oddThrownExamples)) {
      const runtime = new MetricsRuntime({ namespace: 'odd', onError: () => {} });
      runtime.start();
      const owner = runtime.createRecorder('jobs', {
        metrics: () => [counter({ name: 'all', on: 'n' })],
      });
      const worker = connectRecorder(runtime.exposeRecorder('jobs').handle(), {
        onError: () => {
          throw make();
        },
      });
      const hostile = () =>
        Object.defineProperty({ type: 'n' }, 'payload', {
          enumerable: true,
          get: () => {
            throw make();
          },
        });
      for (let i = 0; i < 700; i++) {
        expect(
          () => worker.registerEvent(i % 7 === 3 ? hostile() : { type: 'n' }),
          name,
        ).not.toThrow();
      }
      await within(worker.flush());
      const stats = worker.stats();
      expect(stats.registered, name).toBe(
        stats.sent + stats.dropped + stats.uncloneable + stats.lost + stats.pending,
      );
      expect(stats.uncloneable, name).toBe(100);
      await within(owner.flush());
      expect(total(owner.getMetricSnapshots(), 'all'), name).toBe(stats.sent);
      worker.close();
      await runtime.shutdown();
    }
    expect(escaped).toEqual([]);
  });
});
