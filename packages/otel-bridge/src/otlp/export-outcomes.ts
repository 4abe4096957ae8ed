import { describeError } from '@mvx-metrics/core';
import type { Counter, MeterProvider } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type {
  AggregationOption,
  AggregationTemporality,
  InstrumentType,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { SELF_TELEMETRY_SCOPE } from '../telemetry/self-telemetry.js';
import {
  type PartialSuccess,
  TransportControl,
  watchPartialSuccess,
} from './exporter-internals.js';

// Every metric export's outcome, told by the pipeline itself. OpenTelemetry's periodic reader
// sends a timed-out export to `diag` only, and the OTLP exporters log a collector's partial
// success to `diag` only; both lost data without a word to `onError`. Each push exporter of a
// pipeline is wrapped in a ReportedMetricExporter, which reports every attempt that does not end
// in full success exactly once, to its own pipeline:
//   - `export-failed`: the exporter failed, or gave no answer within the reader's export timeout
//     (whichever of the exporter's and the reader's timeouts is shorter ends the attempt), or the
//     attempt was still open when shutdown's budget ran out;
//   - `export-partial`: the collector accepted the request but rejected some data points
//     (OTLP `partialSuccess`), or accepted it with a warning.
// Data points are counted by outcome in `mvx.export.data_points` (self-telemetry), and each
// attempt's end reaches readiness (`/readyz` counts an exporter's consecutive failures): a
// success (a partial one included) once, a failure once, whichever way the attempt ended.

/** `mvx.export.data_points`: data points handed to a metric exporter, by `outcome`. */
export const EXPORT_DATA_POINTS = {
  name: 'mvx.export.data_points',
  unit: '{data_point}',
  description:
    'Data points handed to a metric exporter, by outcome (exported; rejected by the collector in a partial success; failed: the export failed, timed out or was cut short by shutdown)',
} as const;

/** What `ExportResult.error` holds for a failure this module reported already (see {@link isReportedExportFailure}). */
const REPORTED_MARK = '[mvx-metrics: export failure reported to onError]';

class ReportedExportFailure extends Error {
  constructor() {
    super(REPORTED_MARK);
    this.name = 'ReportedExportFailure';
  }

  // The periodic reader puts `${result.error}` into the error it gives the global handler.
  override toString(): string {
    return REPORTED_MARK;
  }
}

/**
 * Whether OpenTelemetry's global error handler received the periodic reader's restatement of a
 * failure reported already (the reader wraps the export result's error into its own message).
 */
export function isReportedExportFailure(exception: unknown): boolean {
  try {
    return exception instanceof Error && String(exception.message).includes(REPORTED_MARK);
  } catch {
    return false;
  }
}

interface Attempt {
  readonly points: number;
  readonly metrics: number;
  readonly callback: (result: ExportResult) => void;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly final: boolean;
}

/** Where a pipeline's metric export outcomes go. */
export interface ExportOutcomeSink {
  /** The pipeline's reporter (`safeReporter(onError)`). */
  readonly report: (error: unknown) => void;
  readonly counters: ExportCounters;
}

/** The pipeline's `mvx.export.data_points` counter, made once the meter provider exists. */
export class ExportCounters {
  private counter: Counter | undefined;

  bind(meterProvider: MeterProvider): void {
    this.counter = meterProvider
      .getMeter(SELF_TELEMETRY_SCOPE)
      .createCounter(EXPORT_DATA_POINTS.name, {
        unit: EXPORT_DATA_POINTS.unit,
        description: EXPORT_DATA_POINTS.description,
      });
  }

  add(exporter: string, outcome: 'exported' | 'rejected' | 'failed', points: number): void {
    if (points > 0) this.counter?.add(points, { exporter, outcome });
  }
}

/** Wraps a push exporter so that every export's outcome is reported and counted (see above). */
export class ReportedMetricExporter implements PushMetricExporter {
  private readonly open = new Set<Attempt>();
  private readonly idle: Array<() => void> = [];
  private partial: PartialSuccess | undefined;
  private stopping = false;
  private finalStarted = false;
  private closed = false;
  private innerShutDown = false;
  private readonly transport: TransportControl;
  readonly selectAggregationTemporality?: (type: InstrumentType) => AggregationTemporality;
  readonly selectAggregation?: (type: InstrumentType) => AggregationOption;

  /**
   * @param name how reports name the exporter, e.g. `OTLP http/protobuf`
   * @param label the `exporter` attribute of the self-telemetry (`otlp`, `console`)
   * @param timeoutMs the reader's export timeout: an attempt still open then has failed
   * @param readiness told once per attempt whether it succeeded (the pipeline's
   *   `health.exportStreak(label)`)
   */
  constructor(
    private readonly inner: PushMetricExporter,
    private readonly name: string,
    private readonly label: string,
    private readonly timeoutMs: number,
    private readonly sink: ExportOutcomeSink,
    private readonly readiness: (succeeded: boolean) => void = () => {},
  ) {
    if (inner.selectAggregationTemporality !== undefined) {
      this.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
    }
    if (inner.selectAggregation !== undefined) {
      this.selectAggregation = inner.selectAggregation.bind(inner);
    }
    watchPartialSuccess(inner, (partial) => {
      this.partial = partial;
    });
    this.transport = new TransportControl(inner);
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    const { points, count } = sizeOf(metrics);
    if (this.closed) {
      // After shutdown gave up waiting (and said so): nothing is sent any more.
      this.sink.counters.add(this.label, 'failed', points);
      this.readiness(false);
      resultCallback({ code: ExportResultCode.FAILED, error: new ReportedExportFailure() });
      return;
    }
    const attempt: Attempt = {
      points,
      metrics: count,
      callback: resultCallback,
      final: this.stopping,
      timer: setTimeout(() => {
        this.settle(attempt, {
          failed: `got no answer within the export timeout (${this.timeoutMs} ms)`,
        });
      }, this.timeoutMs),
    };
    attempt.timer.unref?.();
    if (this.stopping) this.finalStarted = true;
    this.open.add(attempt);
    try {
      this.inner.export(metrics, (result) => {
        const partial = this.partial;
        this.partial = undefined;
        if (result.code === ExportResultCode.SUCCESS) this.settle(attempt, { partial });
        else {
          const reason = describeError(result.error ?? 'no reason given');
          this.settle(attempt, { failed: `failed: ${reason}`, cause: result.error });
        }
      });
    } catch (error) {
      this.settle(attempt, { failed: `failed: ${describeError(error)}`, cause: error });
    }
  }

  /** Resolves once every attempt handed over so far has ended (each is bounded by the timeout). */
  forceFlush(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    if (this.closed) return;
    await this.inner.shutdown(); // waits for the exporter's open requests and retries
    this.innerShutDown = true;
  }

  /** The pipeline's shutdown has begun: the next export is the final one. */
  beginShutdown(): void {
    this.stopping = true;
  }

  /**
   * The end of the pipeline's shutdown: every attempt still open (shutdown's budget ran out) is
   * reported as failed now, so that shutdown resolves after the report, and so is a final export
   * that never started when the budget ran out. Later exports are refused. Idempotent.
   */
  close(budgetMs: number, ranOut: boolean): void {
    if (this.closed) return;
    this.closed = true;
    const why = `was still open when shutdown's budget (shutdownTimeoutMs, ${budgetMs} ms) ran out`;
    for (const attempt of [...this.open]) this.settle(attempt, { failed: why });
    // The reader's shutdown of the exporter did not end in time (or never began): close its
    // transport, ending its open requests and the retries it waits for.
    if (!this.innerShutDown) this.transport.close();
    if (ranOut && this.stopping && !this.finalStarted) {
      this.sink.report(
        new OtelBridgeError(
          'export-failed',
          `${this.name} final metric export did not start within shutdown's budget (shutdownTimeoutMs, ${budgetMs} ms); the data points since the last export were not exported`,
        ),
      );
    }
  }

  private settle(
    attempt: Attempt,
    outcome: { failed: string; cause?: unknown } | { partial: PartialSuccess | undefined },
  ): void {
    if (!this.open.delete(attempt)) return; // ended already (timed out, then answered late)
    clearTimeout(attempt.timer);
    // Numbers only where a word would not change with them: the default onError tells one
    // problem once, whatever its numbers.
    const what = `${attempt.points} (metrics: ${attempt.metrics})`;
    const which = attempt.final ? 'final metric export' : 'metric export';
    if ('failed' in outcome) {
      this.sink.counters.add(this.label, 'failed', attempt.points);
      this.readiness(false);
      this.sink.report(
        new OtelBridgeError(
          'export-failed',
          `${this.name} ${which} ${outcome.failed}; data points not exported: ${what}`,
          outcome.cause === undefined ? undefined : { cause: outcome.cause },
        ),
      );
      attempt.callback({ code: ExportResultCode.FAILED, error: new ReportedExportFailure() });
    } else {
      const rejected =
        outcome.partial === undefined ? 0 : rejectedOf(outcome.partial, attempt.points);
      this.sink.counters.add(this.label, 'exported', attempt.points - rejected);
      this.sink.counters.add(this.label, 'rejected', rejected);
      this.readiness(true);
      if (outcome.partial !== undefined) {
        this.sink.report(
          new OtelBridgeError(
            'export-partial',
            partialMessage(this.name, which, outcome.partial, rejected, what),
          ),
        );
      }
      attempt.callback({ code: ExportResultCode.SUCCESS });
    }
    if (this.open.size === 0) for (const resolve of this.idle.splice(0)) resolve();
  }
}

function sizeOf(metrics: ResourceMetrics): { points: number; count: number } {
  let points = 0;
  let count = 0;
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      count++;
      points += metric.dataPoints.length;
    }
  }
  return { points, count };
}

// `rejectedDataPoints` is an int64: a number, a decimal string (OTLP/JSON) or a Long (protobuf).
function rejectedOf(partial: PartialSuccess, points: number): number {
  const value = Number(String(partial.rejectedDataPoints ?? 0));
  return Number.isSafeInteger(value) && value > 0 ? Math.min(value, points) : 0;
}

const MAX_COLLECTOR_MESSAGE = 200;

function partialMessage(
  name: string,
  which: string,
  partial: PartialSuccess,
  rejected: number,
  what: string,
): string {
  const text = typeof partial.errorMessage === 'string' ? partial.errorMessage : '';
  // The collector's words, on one line, bounded, quoted (they are not ours to trust).
  const flat = text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
  const shown =
    flat.length > MAX_COLLECTOR_MESSAGE ? `${flat.slice(0, MAX_COLLECTOR_MESSAGE)}…` : flat;
  const says = shown === '' ? 'without a message' : `saying ${JSON.stringify(shown)}`;
  const claimed = String(partial.rejectedDataPoints ?? 0);
  if (rejected === 0 && (claimed === '0' || claimed === '')) {
    return `${name} ${which}: the collector accepted every data point with a warning, ${says}; data points: ${what}`;
  }
  return `${name} ${which}: the collector rejected part of the export (partial success), ${says}; data points rejected: ${rejected} of ${what}`;
}
