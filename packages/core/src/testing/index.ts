import type { ErrorHandler, MetricsError } from '../errors/index.js';
import { optionalFunction, optionsObject, readOption } from '../internal/option-checks.js';
import type { Metric } from '../metrics/types.js';
import { setChangePoisoning } from '../recorder/change-record.js';
import { MetricsRecorder } from '../recorder/metrics-recorder.js';
import type { RecorderOptions } from '../recorder/types.js';
import { findPoint, findSnapshot } from '../snapshots/find.js';
import type {
  Attributes,
  ExponentialHistogramPoint,
  HistogramPoint,
  NumberPoint,
} from '../snapshots/types.js';

/**
 * Test mode for change listeners: from now on (every recorder in this process, until called with
 * `false`), the `MetricChange` a hook receives is poisoned as soon as the hook returns, and any
 * later read of it throws a `MetricsError` (code `kept-change`). The recorder reuses one change
 * record for every change, so a listener that keeps the change itself instead of
 * `copyChange(change)` would otherwise see it overwritten by the next one. Returns the previous
 * setting. Costs an allocation per change: for tests, not production.
 *
 * @example
 * beforeAll(() => detectKeptChanges());
 */
export function detectKeptChanges(enabled = true): boolean {
  return setChangePoisoning(enabled);
}

/** Options of {@link createTestRecorder}. */
export interface TestRecorderOptions extends Omit<RecorderOptions, 'metrics' | 'scheduler'> {
  name?: string;
}

/** A started recorder that processes synchronously, plus the errors it reported. */
export interface TestRecorder extends MetricsRecorder {
  /** Every problem reported to the error handler, in order. */
  readonly errors: MetricsError[];
}

/**
 * A recorder for unit tests: processes inside `registerEvent`, so a test registers events and
 * asserts on snapshots straight away, with no exporter and no awaiting.
 *
 * @example
 * const recorder = createTestRecorder([saveAttempts()]);
 * new DocumentStorage(recorder).save('a', 'hello');
 * expect(pointValue(recorder, 'document.save.attempts', { outcome: 'success' })).toBe(1);
 */
export function createTestRecorder(
  metrics: readonly Metric[],
  options: TestRecorderOptions = {},
): TestRecorder {
  const errors: MetricsError[] = [];
  const owner = { label: 'createTestRecorder' };
  const checked = optionsObject(owner, options);
  const onError = optionalFunction<ErrorHandler>(owner, checked, 'onError');
  // Each option read once, through the checks (a spread would run a throwing getter unguarded).
  const rest: Record<string, unknown> = {};
  for (const key of ['maxPendingEvents', 'overflow', 'clock', 'unhandledEvents']) {
    const value = readOption(owner, checked, key);
    if (value !== undefined) rest[key] = value;
  }
  const name = readOption(owner, checked, 'name') ?? 'test';
  const recorder = new MetricsRecorder(name as string, {
    ...(rest as RecorderOptions),
    metrics,
    scheduler: 'sync',
    onError: (error) => {
      errors.push(error);
      onError?.(error);
    },
  }) as MetricsRecorder & { errors: MetricsError[] };
  recorder.errors = errors;
  recorder.start();
  return recorder;
}

/** The value of a counter/upDownCounter/gauge point; `undefined` if the point does not exist. Throws if the metric does not. */
export function pointValue(
  recorder: Pick<MetricsRecorder, 'getMetricSnapshots'>,
  metricName: string,
  attributes: Attributes = {},
): number | undefined {
  const snapshots = recorder.getMetricSnapshots();
  if (findSnapshot(snapshots, metricName) === undefined) {
    throw new Error(
      `No metric named "${metricName}"; the recorder has: ${snapshots.map((s) => s.name).join(', ') || 'none'}.`,
    );
  }
  return findPoint<NumberPoint>(snapshots, metricName, attributes)?.value;
}

/** The histogram point of `metricName` with `attributes`, if any. */
export function histogramPoint(
  recorder: Pick<MetricsRecorder, 'getMetricSnapshots'>,
  metricName: string,
  attributes: Attributes = {},
): HistogramPoint | undefined {
  return findPoint<HistogramPoint>(recorder.getMetricSnapshots(), metricName, attributes);
}

export { attributesEqual, attributesMatch, findPoint, findSnapshot } from '../snapshots/find.js';

/**
 * The exponential histogram point of `metricName` with `attributes`, if any: count, sum, min, max,
 * scale, zero count and the positive/negative buckets, as OpenTelemetry exports them.
 *
 * @example
 * expect(exponentialHistogramPoint(recorder, 'request.duration')).toMatchObject({ count: 3, zeroCount: 0 });
 */
export function exponentialHistogramPoint(
  recorder: Pick<MetricsRecorder, 'getMetricSnapshots'>,
  metricName: string,
  attributes: Attributes = {},
): ExponentialHistogramPoint | undefined {
  return findPoint<ExponentialHistogramPoint>(
    recorder.getMetricSnapshots(),
    metricName,
    attributes,
  );
}
