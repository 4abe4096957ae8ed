import { normalizeAttributes } from '../internal/attributes.js';
import type { BoundedQueue } from '../internal/bounded-queue.js';
import { BuiltInMetric } from '../metrics/built-in-metric.js';
import type { Metric } from '../metrics/types.js';
import type { MetricSnapshot } from '../snapshots/types.js';
import type { ChangeHooks } from './change-hooks.js';
import { ChangeRecord, poison, poisoningChanges } from './change-record.js';
import type { DispatchIndex, Route } from './dispatch-index.js';
import type { RecorderReports } from './recorder-reports.js';
import type { RecorderView } from './types.js';

// Reading the clock per event would cost more than most metrics: check the budget every 128.
const CLOCK_EVERY = 128;

/**
 * The processing side of a recorder: takes events off its queue in order, offers each to the
 * metrics that select it (see {@link DispatchIndex}), isolates a metric that throws, and fires the post-change hook for each acceptance.
 */
export class Dispatcher {
  /** The recorder's metrics, in registration order (replaced, never mutated). */
  metrics: readonly Metric[] = [];
  processed = 0;
  accepted = 0;
  /** Metric calls that threw. */
  failed = 0;
  // The change record handed to each metric and hook, reused (see ChangeRecord). Taken for the
  // length of one event: a nested dispatch (a hook draining this recorder) finds none and makes
  // its own.
  private record: ChangeRecord | undefined;

  constructor(
    private readonly recorder: RecorderView,
    private readonly hooks: ChangeHooks,
    private readonly reports: RecorderReports,
    private readonly clock: () => number,
    private readonly index: DispatchIndex,
  ) {
    this.record = new ChangeRecord(recorder);
  }

  /** Adds a metric, last in order, to the metrics and the index. */
  add(route: Route): void {
    this.metrics = [...this.metrics, route.metric];
    this.index.add(route);
  }

  /**
   * Processes queued events until the queue is empty or `deadline` (by the clock) has passed.
   * Returns how many were processed. The queue's fields are re-read every time round: a hook may
   * register events (and grow the queue) meanwhile.
   */
  processBatch(queue: BoundedQueue, deadline: number): number {
    let count = 0;
    // Without a deadline (processPending) the clock is never read: a read allocates (Node's
    // performance.now() returns a new heap number, 16 B), the only allocation left per event.
    const timed = deadline !== Number.POSITIVE_INFINITY;
    while (queue.size > 0) {
      const context = queue.oldestContext();
      const event = queue.shift();
      this.processed++;
      // Without a hook no metric gets a change record: the loop without the records' code is
      // small enough for V8 to inline the metric's handler into it (bench/README.md, "Round 5").
      if (this.hooks.hooked) this.dispatch(event, context);
      else this.dispatchUnhooked(event);
      if (++count % CLOCK_EVERY === 0 && timed && this.clock() >= deadline) break;
    }
    this.record?.release();
    this.index.reportUnhandled();
    return count;
  }

  /** Current state of every metric; a throwing `snapshot()` is reported and skipped. */
  snapshots(): MetricSnapshot[] {
    const out: MetricSnapshot[] = [];
    for (const metric of this.metrics) {
      try {
        out.push(metric.snapshot());
      } catch (error) {
        this.reports.snapshotFailed(metric, error);
      }
    }
    return out;
  }

  // `dispatch` when no hook listens (no change records): the same outcome, counts and reports.
  private dispatchUnhooked(event: object): void {
    const metrics = this.index.metricsFor(event);
    let accepted = false;
    for (let i = 0; i < metrics.length; i++) {
      const metric = metrics[i] as Metric;
      try {
        if (metric.handleEvent(event, undefined) === true) accepted = true;
      } catch (error) {
        this.failed++;
        this.reports.metricFailed(metric, event, error);
      }
    }
    if (accepted) this.accepted++;
    else this.index.ignored(event);
  }

  private dispatch(event: object, context: unknown): void {
    // Only the metrics whose selector can accept the event, in registration order.
    const metrics = this.index.metricsFor(event);
    const hooks = this.hooks;
    let accepted = false;
    // While a hook listens, one record is filled in by each metric that accepts the event, then
    // handed to the hooks (reused for the next change only when every listener is transient);
    // without a hook the metrics get none.
    let record: ChangeRecord | undefined;
    for (let i = 0; i < metrics.length; i++) {
      const metric = metrics[i] as Metric;
      let update: ChangeRecord | undefined;
      if (context === undefined ? hooks.everyChange : hooks.hooked) {
        if (record === undefined) {
          record = this.record ?? new ChangeRecord(this.recorder);
          this.record = undefined;
          record.event = event;
          record.context = context;
        }
        record.metric = metric;
        record.attributes = undefined;
        record.value = undefined;
        update = record;
      }
      let changed: boolean;
      try {
        changed = metric.handleEvent(event, update) === true;
      } catch (error) {
        this.failed++;
        this.reports.metricFailed(metric, event, error);
        continue;
      }
      if (!changed) continue;
      accepted = true;
      if (update === undefined) continue;
      // A built-in metric hands over its point's attributes, normalised once when the point was
      // made; a hand-written metric's go through the same rule here, read once, before any
      // listener sees them.
      if (update.attributes !== undefined && !(metric instanceof BuiltInMetric)) {
        try {
          update.attributes = normalizeAttributes(update.attributes);
        } catch (error) {
          // The state changed but its point cannot be named: counted and reported as the
          // metric's failure (a bridge then re-reads every snapshot), no hook.
          this.failed++;
          this.reports.metricFailed(metric, event, error);
          continue;
        }
      }
      hooks.fire(update);
      // A listener that may keep its changes keeps this record: the next change gets a fresh one.
      // Test mode: a record handed to transient listeners only is poisoned, so one that kept it
      // anyway fails loudly.
      if (!hooks.reusable || poisoningChanges()) {
        if (hooks.reusable) poison(update);
        record = new ChangeRecord(this.recorder);
        record.event = event;
        record.context = context;
      }
    }
    if (record !== undefined) this.record = record;
    if (accepted) this.accepted++;
    else this.index.ignored(event);
  }
}
