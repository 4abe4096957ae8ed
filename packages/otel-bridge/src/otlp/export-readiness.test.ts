import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExportCounters, ReportedMetricExporter } from './export-outcomes.js';

// Readiness is fed by the wrapper that reports each export's outcome (moved here with the
// readiness observer it replaces, asserting what its tests asserted).

afterEach(() => {
  vi.useRealTimers();
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
const METRICS = { resource: {}, scopeMetrics: [] } as unknown as ResourceMetrics;

/** The wrapper as the pipeline builds it, its readiness outcomes and its reports collected. */
function reported(inner: PushMetricExporter, timeoutMs: number) {
  const outcomes: boolean[] = [];
  const reports: unknown[] = [];
  const sink = { report: (error: unknown) => reports.push(error), counters: new ExportCounters() };
  const exporter = new ReportedMetricExporter(inner, 'Test', 'test', timeoutMs, sink, (ok) =>
    outcomes.push(ok),
  );
  return { exporter, outcomes, reports };
}

describe('ReportedMetricExporter feeds readiness', () => {
  it('passes each result through and counts it once', () => {
    const results: ExportResult[] = [];
    let next: ExportResult = { code: ExportResultCode.SUCCESS };
    const { exporter, outcomes } = reported(
      fakeExporter((callback) => callback(next)),
      1_000,
    );
    exporter.export(METRICS, (r) => results.push(r));
    next = { code: ExportResultCode.FAILED, error: new Error('503') };
    exporter.export(METRICS, (r) => results.push(r));
    expect(outcomes).toEqual([true, false]);
    expect(results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS, ExportResultCode.FAILED]);
    expect(exporter.selectAggregationTemporality?.(0 as never)).toBe(1);
  });

  it('counts an export that never answers as failed at the timeout, and its late answer not again', () => {
    vi.useFakeTimers();
    let late: ((result: ExportResult) => void) | undefined;
    const { exporter, outcomes } = reported(
      fakeExporter((callback) => {
        late = callback;
      }),
      500,
    );
    const results: ExportResult[] = [];
    exporter.export(METRICS, (r) => results.push(r));
    vi.advanceTimersByTime(499);
    expect(outcomes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(outcomes).toEqual([false]);
    late?.({ code: ExportResultCode.SUCCESS });
    expect(outcomes).toEqual([false]);
    expect(results).toHaveLength(1); // the reader still gets its answer
  });

  it('counts an exporter that throws as failed, and the reader gets a failed result', () => {
    // The readiness observer, alone, let the throw through; in the pipeline it always wrapped
    // this reporting wrapper, which turns the throw into a reported failure, as here.
    const results: ExportResult[] = [];
    const { exporter, outcomes, reports } = reported(
      fakeExporter(() => {
        throw new Error('boom');
      }),
      1_000,
    );
    exporter.export(METRICS, (r) => results.push(r));
    expect(outcomes).toEqual([false]);
    expect(results.map((r) => r.code)).toEqual([ExportResultCode.FAILED]);
    expect(String(reports[0])).toContain('boom');
  });

  it('counts an attempt refused after shutdown, and one cut short by it, as failed', () => {
    const { exporter, outcomes } = reported(
      fakeExporter(() => {}),
      60_000,
    );
    exporter.export(METRICS, () => {});
    exporter.close(10, true);
    expect(outcomes).toEqual([false]);
    exporter.export(METRICS, () => {});
    expect(outcomes).toEqual([false, false]);
  });
});
