// ReportedMetricExporter at its edges, as the periodic reader and the pipeline's shutdown drive it:
// what forceFlush and shutdown wait for, when the exporter's transport is closed, which export is
// the final one, what onError and `mvx.export.data_points` get for an export after shutdown, one
// that fails without a reason, one that throws, one that times out; exporters without the
// optional hooks; the reader's restatement of a reported failure recognised. Fake exporters only:
// the same outcomes against real collectors are in test/bridge/otlp-partial-edges.test.ts and
// export-outcomes.test.ts.
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import {
  AggregationTemporality,
  AggregationType,
  MeterProvider,
  MetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ExportCounters,
  isReportedExportFailure,
  ReportedMetricExporter,
} from './export-outcomes.js';

afterEach(() => {
  vi.useRealTimers();
});

class Reader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** An export of `points` data points in `metrics` metrics (the wrapper counts, never reads them). */
function batch(points: number, metrics = 1): ResourceMetrics {
  const list = Array.from({ length: metrics }, (_, i) => ({
    descriptor: { name: `m${i}` },
    dataPoints: Array.from({ length: i === 0 ? points - (metrics - 1) : 1 }, () => ({})),
  }));
  return {
    resource: {},
    scopeMetrics: [{ scope: { name: 's' }, metrics: list }],
  } as unknown as ResourceMetrics;
}

type Callback = (result: ExportResult) => void;
type Any = Record<string, unknown>;

/**
 * A push exporter whose answers the test gives (`pending`), with OpenTelemetry's OTLP shape for
 * the transport (`_delegate._transport.shutdown`) when `transport` is set.
 */
function fakeExporter(extra: Any = {}) {
  const pending: Callback[] = [];
  const transportShutdowns: number[] = [];
  let shutdowns = 0;
  let shutdownAnswer: Promise<void> = Promise.resolve();
  const exporter = {
    export: (_metrics: ResourceMetrics, callback: Callback) => {
      pending.push(callback);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => {
      shutdowns++;
      return shutdownAnswer;
    },
    _delegate: { _transport: { shutdown: () => transportShutdowns.push(1) } },
    ...extra,
  } as unknown as PushMetricExporter;
  return {
    exporter,
    pending,
    get shutdowns() {
      return shutdowns;
    },
    get transportShutdowns() {
      return transportShutdowns.length;
    },
    hangShutdown() {
      shutdownAnswer = new Promise(() => {});
    },
  };
}

/** The wrapper as the pipeline builds it, with its reports, readiness and counters collected. */
function wrap(inner: PushMetricExporter, options: { timeoutMs?: number; bound?: boolean } = {}) {
  const reports: Array<Error & { code?: string; cause?: unknown }> = [];
  const readiness: boolean[] = [];
  const counters = new ExportCounters();
  const reader = new Reader();
  if (options.bound !== false) counters.bind(new MeterProvider({ readers: [reader] }));
  const exporter = new ReportedMetricExporter(
    inner,
    'OTLP test',
    'otlp',
    options.timeoutMs ?? 60_000,
    { report: (error) => reports.push(error as Error), counters },
    (ok) => readiness.push(ok),
  );
  /** `mvx.export.data_points` by outcome, as a reader of the pipeline's provider collects it. */
  const counted = async () => {
    const { resourceMetrics } = await reader.collect();
    const out: Record<string, number> = {};
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const point of metric.dataPoints) {
          expect(point.attributes.exporter).toBe('otlp');
          out[String(point.attributes.outcome)] = point.value as number;
        }
      }
    }
    return out;
  };
  return { exporter, reports, readiness, counted };
}

/** Lets every pending promise callback run (no timer involved). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** Whether `promise` has resolved by now. */
async function isDone(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await settled();
  return done;
}

describe('forceFlush and shutdown wait for the attempts handed over', () => {
  it('forceFlush resolves at once when nothing is open, else once every open attempt ended', async () => {
    const fake = fakeExporter();
    const { exporter } = wrap(fake.exporter);
    expect(await isDone(exporter.forceFlush())).toBe(true);
    exporter.export(batch(2), () => {});
    exporter.export(batch(3), () => {});
    const flushed = exporter.forceFlush();
    expect(await isDone(flushed)).toBe(false);
    fake.pending[0]?.({ code: ExportResultCode.SUCCESS });
    expect(await isDone(flushed)).toBe(false); // one attempt is still open
    fake.pending[1]?.({ code: ExportResultCode.FAILED, error: new Error('503') });
    expect(await isDone(flushed)).toBe(true);
    expect(await isDone(exporter.forceFlush())).toBe(true);
  });

  it("shutdown shuts the exporter once its attempts ended, and close() then leaves the exporter's transport alone", async () => {
    const fake = fakeExporter();
    const { exporter } = wrap(fake.exporter);
    exporter.export(batch(1), () => {});
    const down = exporter.shutdown();
    expect(await isDone(down)).toBe(false);
    expect(fake.shutdowns).toBe(0); // not before the open attempt ended
    fake.pending[0]?.({ code: ExportResultCode.SUCCESS });
    expect(await isDone(down)).toBe(true);
    expect(fake.shutdowns).toBe(1);
    exporter.close(100, false);
    expect(fake.transportShutdowns).toBe(0); // the exporter's own shutdown closed it
  });

  it("close() without the exporter's shutdown (the budget ran out) closes its transport, once", () => {
    const fake = fakeExporter();
    const { exporter } = wrap(fake.exporter);
    exporter.close(100, true);
    expect(fake.transportShutdowns).toBe(1);
    exporter.close(100, true);
    expect(fake.transportShutdowns).toBe(1);
  });

  it("an attempt cut short by close(): shutdown resolves without waiting for the exporter's shutdown", async () => {
    const fake = fakeExporter();
    fake.hangShutdown();
    const { exporter, reports } = wrap(fake.exporter);
    exporter.export(batch(4), () => {});
    const down = exporter.shutdown();
    expect(await isDone(down)).toBe(false);
    exporter.close(250, true);
    expect(await isDone(down)).toBe(true);
    expect(fake.shutdowns).toBe(0);
    expect(fake.transportShutdowns).toBe(1);
    expect(reports.map((r) => r.message)).toEqual([
      "OTLP test metric export was still open when shutdown's budget (shutdownTimeoutMs, 250 ms) ran out; data points not exported: 4 (metrics: 1)",
    ]);
  });
});

describe('the final export', () => {
  it('an export before shutdown began is not the final one: a final export that never started is reported, once', () => {
    const fake = fakeExporter();
    const { exporter, reports } = wrap(fake.exporter);
    exporter.export(batch(1), () => {});
    fake.pending[0]?.({ code: ExportResultCode.SUCCESS });
    exporter.beginShutdown();
    exporter.close(300, true);
    exporter.close(300, true); // idempotent: not reported twice
    expect(reports.map((r) => [r.code, r.message])).toEqual([
      [
        'export-failed',
        "OTLP test final metric export did not start within shutdown's budget (shutdownTimeoutMs, 300 ms); the data points since the last export were not exported",
      ],
    ]);
  });

  it('a final export that started and was cut short is reported as such, not as one that never started', () => {
    const fake = fakeExporter();
    const { exporter, reports } = wrap(fake.exporter);
    exporter.beginShutdown();
    exporter.export(batch(2), () => {});
    exporter.close(300, true);
    expect(reports.map((r) => r.message)).toEqual([
      "OTLP test final metric export was still open when shutdown's budget (shutdownTimeoutMs, 300 ms) ran out; data points not exported: 2 (metrics: 1)",
    ]);
  });
});

describe('failures: what onError, the reader and mvx.export.data_points get', () => {
  it('an export after close() fails at once: counted as failed, the reader told FAILED, nothing sent', async () => {
    const fake = fakeExporter();
    const { exporter, readiness, counted, reports } = wrap(fake.exporter);
    exporter.close(100, false);
    const results: ExportResult[] = [];
    exporter.export(batch(5, 2), (result) => results.push(result));
    expect(fake.pending).toHaveLength(0);
    expect(results.map((r) => r.code)).toEqual([ExportResultCode.FAILED]);
    expect(isReportedExportFailure(new Error(`wrapped (error ${results[0]?.error})`))).toBe(true);
    expect(readiness).toEqual([false]);
    expect(reports).toEqual([]); // shutdown said so already
    expect(await counted()).toEqual({ failed: 5 });
  });

  it('a failure without a reason says so; a failure with one keeps it as the cause; a timeout has none', async () => {
    vi.useFakeTimers();
    const fake = fakeExporter();
    const { exporter, reports, counted } = wrap(fake.exporter, { timeoutMs: 500 });
    exporter.export(batch(2), () => {});
    fake.pending[0]?.({ code: ExportResultCode.FAILED });
    const error = new Error('collector said 400');
    exporter.export(batch(3), () => {});
    fake.pending[1]?.({ code: ExportResultCode.FAILED, error });
    exporter.export(batch(1), () => {});
    vi.advanceTimersByTime(500);
    expect(reports.map((r) => r.message)).toEqual([
      'OTLP test metric export failed: no reason given; data points not exported: 2 (metrics: 1)',
      'OTLP test metric export failed: collector said 400; data points not exported: 3 (metrics: 1)',
      'OTLP test metric export got no answer within the export timeout (500 ms); data points not exported: 1 (metrics: 1)',
    ]);
    expect(reports.map((r) => r.code)).toEqual(['export-failed', 'export-failed', 'export-failed']);
    expect('cause' in (reports[0] as Error)).toBe(false);
    expect(reports[1]?.cause).toBe(error);
    expect('cause' in (reports[2] as Error)).toBe(false);
    vi.useRealTimers();
    expect(await counted()).toEqual({ failed: 6 });
  });

  it('an exporter that throws: the thrown error is the cause', () => {
    const thrown = new TypeError('bad payload');
    const { exporter, reports } = wrap(
      fakeExporter({
        export: () => {
          throw thrown;
        },
      }).exporter,
    );
    const results: ExportResult[] = [];
    exporter.export(batch(1), (result) => results.push(result));
    expect(reports[0]?.cause).toBe(thrown);
    expect(results.map((r) => r.code)).toEqual([ExportResultCode.FAILED]);
  });

  it('counters not bound yet (no meter provider): exports are still reported, nothing throws', () => {
    const fake = fakeExporter();
    const { exporter, reports, readiness } = wrap(fake.exporter, { bound: false });
    exporter.export(batch(3), () => {});
    fake.pending[0]?.({ code: ExportResultCode.SUCCESS });
    exporter.export(batch(2), () => {});
    fake.pending[1]?.({ code: ExportResultCode.FAILED, error: new Error('x') });
    expect(readiness).toEqual([true, false]);
    expect(reports).toHaveLength(1);
  });

  it('a full success counts its data points as exported, and no other outcome (not even at 0)', async () => {
    const fake = fakeExporter();
    const { exporter, counted, reports } = wrap(fake.exporter);
    exporter.export(batch(7, 3), () => {});
    fake.pending[0]?.({ code: ExportResultCode.SUCCESS });
    exporter.export(batch(0, 0), () => {});
    fake.pending[1]?.({ code: ExportResultCode.FAILED, error: new Error('empty') });
    expect(reports).toHaveLength(1);
    expect(await counted()).toEqual({ exported: 7 });
  });
});

describe("the exporter's optional hooks", () => {
  it('an exporter without selectAggregationTemporality or selectAggregation: neither is offered', () => {
    const { exporter } = wrap(
      fakeExporter({ selectAggregationTemporality: undefined, selectAggregation: undefined })
        .exporter,
    );
    expect(exporter.selectAggregationTemporality).toBeUndefined();
    expect(exporter.selectAggregation).toBeUndefined();
  });

  it("an exporter's selectAggregationTemporality and selectAggregation are the reader's, bound to it", () => {
    const inner = fakeExporter({
      temporality: AggregationTemporality.DELTA,
      selectAggregationTemporality(this: Any) {
        return this.temporality;
      },
      selectAggregation(this: Any) {
        return { type: AggregationType.DROP, from: this.temporality };
      },
    }).exporter;
    const { exporter } = wrap(inner);
    expect(exporter.selectAggregationTemporality?.(0 as never)).toBe(AggregationTemporality.DELTA);
    expect(exporter.selectAggregation?.(0 as never)).toEqual({
      type: AggregationType.DROP,
      from: AggregationTemporality.DELTA,
    });
  });

  it('an exporter with no OTLP internals (a console exporter) is wrapped and closed without a throw', () => {
    const { exporter, readiness } = wrap(fakeExporter({ _delegate: undefined }).exporter);
    exporter.export(batch(1), () => {});
    exporter.close(10, true);
    expect(readiness).toEqual([false]);
  });
});

describe("isReportedExportFailure: the periodic reader's restatement of a reported failure", () => {
  it('recognises the restatement only', async () => {
    const fake = fakeExporter();
    const { exporter } = wrap(fake.exporter);
    const results: ExportResult[] = [];
    exporter.export(batch(1), (result) => results.push(result));
    fake.pending[0]?.({ code: ExportResultCode.FAILED, error: new Error('503') });
    const error = results[0]?.error;
    // as sdk-metrics' PeriodicExportingMetricReader words it
    const restated = new Error(
      `PeriodicExportingMetricReader: metrics export failed (error ${error})`,
    );
    expect(isReportedExportFailure(restated)).toBe(true);
    expect(isReportedExportFailure(new Error('503'))).toBe(false);
    expect(isReportedExportFailure(String(restated.message))).toBe(false); // not an Error
    expect(isReportedExportFailure(undefined)).toBe(false);
  });

  it('an error whose message cannot be read is not one (and does not throw)', () => {
    const hostile = new Error('x');
    Object.defineProperty(hostile, 'message', {
      get() {
        throw new Error('no');
      },
    });
    expect(isReportedExportFailure(hostile)).toBe(false);
    const odd = new Error('x');
    Object.defineProperty(odd, 'message', { value: { toString: () => 'plain' } });
    expect(isReportedExportFailure(odd)).toBe(false);
  });
});
