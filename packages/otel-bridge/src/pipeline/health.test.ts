import type { RuntimeState } from '@mvx-metrics/core';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { observeExportOutcomes } from './export-observer.js';
import { PipelineHealth } from './health.js';

const STATES: RuntimeState[] = ['initializing', 'running', 'draining', 'drained', 'failed'];
const noFlush = () => Promise.resolve();

afterEach(() => {
  vi.useRealTimers();
});

describe('PipelineHealth', () => {
  it('is ready exactly when every runtime runs and no exporter failed its last N attempts; live unless one failed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...STATES), { maxLength: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.array(fc.boolean(), { maxLength: 12 }), { maxLength: 3 }),
        (states, n, outcomes) => {
          const health = new PipelineHealth(n, noFlush);
          states.forEach((state, i) => {
            health.track({ label: `runtime "r${i}"`, namespace: `r${i}`, state: () => state });
          });
          outcomes.forEach((sequence, i) => {
            const tally = health.exportStreak(`e${i}`);
            for (const ok of sequence) tally(ok);
          });
          const trailing = (sequence: boolean[]) => {
            let k = 0;
            while (k < sequence.length && sequence[sequence.length - 1 - k] === false) k++;
            return k;
          };
          const ready =
            states.every((s) => s === 'running') && outcomes.every((seq) => trailing(seq) < n);
          const live = !states.includes('failed');
          const readiness = health.readiness();
          expect(readiness.status).toBe(ready ? 'ok' : 'unavailable');
          expect(readiness.reasons.length === 0).toBe(ready);
          expect(health.liveness().status).toBe(live ? 'ok' : 'unavailable');
          expect(readiness.runtimes).toEqual(
            states.map((state, i) => ({ namespace: `r${i}`, state })),
          );
        },
      ),
    );
  });

  it('settles held work, including work held while it waits, and never rejects', async () => {
    const health = new PipelineHealth(3, noFlush);
    let releaseLate: () => void = () => {};
    let releaseFirst: () => void = () => {};
    health.hold(
      new Promise<void>((resolve) => {
        releaseFirst = resolve;
      }).then(() => {
        health.hold(
          new Promise<void>((resolve) => {
            releaseLate = resolve;
          }),
        );
      }),
    );
    health.hold(Promise.reject(new Error('a failed export')));
    let settled = false;
    const done = health.settled().then(() => {
      settled = true;
    });
    releaseFirst();
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    releaseLate();
    await done;
    expect(settled).toBe(true);
  });
});

function fakeExporter(answer: (callback: (result: ExportResult) => void) => void) {
  const exporter: PushMetricExporter = {
    export: (_metrics, callback) => answer(callback),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
    selectAggregationTemporality: () => 1,
  };
  return exporter;
}
const METRICS = {} as ResourceMetrics;

describe('observeExportOutcomes', () => {
  it('passes each result through and counts it once', () => {
    const outcomes: boolean[] = [];
    const results: ExportResult[] = [];
    let next: ExportResult = { code: ExportResultCode.SUCCESS };
    const observed = observeExportOutcomes(
      fakeExporter((callback) => callback(next)),
      1_000,
      (ok) => outcomes.push(ok),
    );
    observed.export(METRICS, (r) => results.push(r));
    next = { code: ExportResultCode.FAILED, error: new Error('503') };
    observed.export(METRICS, (r) => results.push(r));
    expect(outcomes).toEqual([true, false]);
    expect(results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS, ExportResultCode.FAILED]);
    expect(observed.selectAggregationTemporality?.(0 as never)).toBe(1);
  });

  it('counts an export that never answers as failed at the timeout, and its late answer not again', () => {
    vi.useFakeTimers();
    const outcomes: boolean[] = [];
    let late: ((result: ExportResult) => void) | undefined;
    const observed = observeExportOutcomes(
      fakeExporter((callback) => {
        late = callback;
      }),
      500,
      (ok) => outcomes.push(ok),
    );
    const results: ExportResult[] = [];
    observed.export(METRICS, (r) => results.push(r));
    vi.advanceTimersByTime(499);
    expect(outcomes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(outcomes).toEqual([false]);
    late?.({ code: ExportResultCode.SUCCESS });
    expect(outcomes).toEqual([false]);
    expect(results).toHaveLength(1); // the reader still gets its answer
  });

  it('counts an exporter that throws as failed and lets the reader see the throw', () => {
    const outcomes: boolean[] = [];
    const observed = observeExportOutcomes(
      fakeExporter(() => {
        throw new Error('boom');
      }),
      1_000,
      (ok) => outcomes.push(ok),
    );
    expect(() => observed.export(METRICS, () => {})).toThrow('boom');
    expect(outcomes).toEqual([false]);
  });
});
