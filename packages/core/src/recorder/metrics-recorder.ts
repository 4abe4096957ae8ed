import { defaultErrorHandler, type ErrorHandler } from '../errors/index.js';
import { cleanName } from '../internal/attributes.js';
import { BoundedQueue } from '../internal/bounded-queue.js';
import { overflowStrategy } from '../internal/buffer-options.js';
import { FlushWaiters } from '../internal/flush-waiters.js';
import { isEvent } from '../internal/is-event.js';
import { optionalFunction } from '../internal/option-checks.js';
import type { Metric, MetricHost } from '../metrics/types.js';
import {
  resolveScheduler,
  type Scheduler,
  type SchedulerOption,
  type SchedulerTask,
} from '../scheduler/scheduler.js';
import type { MetricSnapshot } from '../snapshots/types.js';
import { BurstMemory } from './burst-memory.js';
import { ChangeHooks } from './change-hooks.js';
import { DispatchIndex, routeOf } from './dispatch-index.js';
import { Dispatcher } from './dispatcher.js';
import { claimMetric } from './metric-ownership.js';
import { RecorderReports, type RejectionCode } from './recorder-reports.js';
import type {
  BatchListener,
  ChangeListener,
  ChangeListenerOptions,
  ContextCapture,
  MetricChange,
  OverflowPolicy,
  RecorderOptions,
  RecorderState,
  RecorderStats,
  RecorderView,
} from './types.js';
import { checkRecorderOptions } from './validate-options.js';

const CREATED = 0;
const RUNNING = 1;
const STOPPING = 2;
const STOPPED = 3;
const STATES: readonly RecorderState[] = ['created', 'running', 'stopping', 'stopped'];

/**
 * Receives events from production code and processes them later, in order, through its metrics.
 *
 * @example
 * const recorder = runtime.createRecorder('document_storage', { metrics: [saveAttempts] });
 * recorder.registerEvent(new DocumentSaveAttempt('success'));
 */
export class MetricsRecorder implements RecorderView {
  /**
   * The recorder's identity and its `recorder` label: the name it was given, with lone surrogates
   * and NUL replaced by U+FFFD and cut at 1024 UTF-16 units, as attribute values are.
   */
  readonly name: string;
  readonly capacity: number;
  readonly overflow: OverflowPolicy;

  private phase = CREATED;
  private readonly scheduler: Scheduler;
  private readonly task: SchedulerTask;
  private readonly burst: BurstMemory;
  private readonly reports: RecorderReports;
  private readonly host: MetricHost;
  private readonly hooks: ChangeHooks;
  private readonly dispatcher: Dispatcher;

  private readonly queue: BoundedQueue;
  private queued = false;
  private capture: ContextCapture | undefined;

  private registered = 0;
  private rejected = 0;

  private readonly waiters = new FlushWaiters();
  private stopping: Promise<void> | undefined;
  // True while events are being dispatched: a hook calling processPending() must not start a
  // nested drain, which would hand later events to some metrics before the current one.
  private draining = false;

  constructor(name: string, options: RecorderOptions = {}) {
    const checked = checkRecorderOptions(name, options);
    // The name becomes the `recorder` label: it follows the attribute-value rule from the start,
    // so two names that would print alike are one name (a runtime refuses the second).
    const own = cleanName(name);
    const { capacity, overflow } = checked;
    this.name = own;
    this.capacity = capacity;
    this.overflow = overflow;
    this.reports = new RecorderReports(own, checked.onError ?? defaultErrorHandler);
    const strategy = overflowStrategy(overflow);
    this.queue = new BoundedQueue({
      capacity,
      overflow: strategy,
      onDrop: () => this.reports.bufferFull(capacity, strategy.loses),
    });
    this.scheduler = resolveScheduler(
      checked.scheduler as SchedulerOption | undefined,
      checked.clock,
      (error) => this.reports.reporter.report(error),
      `Recorder "${own}"`,
    );
    this.task = { drain: (deadline) => this.drainQueued(deadline) };
    this.burst = new BurstMemory(this.queue, this.scheduler, () => this.draining);
    this.host = { recorderName: own, report: (error) => this.reports.reporter.report(error) };
    const hasAfterChange = this.afterChange !== MetricsRecorder.prototype.afterChange;
    this.hooks = new ChangeHooks(
      hasAfterChange ? (change) => this.afterChange(change) : undefined,
      this.reports,
    );
    const clock = checked.clock ?? (() => performance.now());
    const index = new DispatchIndex(own, checked.unhandledEvents, this.host.report);
    this.dispatcher = new Dispatcher(this, this.hooks, this.reports, clock, index);
    for (const metric of checked.metrics) this.addMetric(metric);
  }

  /** Current lifecycle state. */
  get state(): RecorderState {
    return STATES[this.phase] as RecorderState;
  }

  /**
   * The production boundary: buffers `event` for later processing. O(1), never throws, never
   * runs a metric here (except with the `sync` scheduler). A full buffer drops per the overflow
   * policy; a non-object or an event after `stop()` is rejected. Everything is counted.
   */
  registerEvent(event: object): void {
    if (!isEvent(event)) {
      this.reject(event, 'invalid-event');
      return;
    }
    if (this.phase >= STOPPING) {
      this.reject(event, 'event-after-stop');
      return;
    }
    this.registered++;
    const queue = this.queue;
    if (queue.size >= queue.room && !queue.makeRoom()) return;
    const slot = queue.push(event);
    if (this.capture !== undefined) this.captureInto(slot);
    if (!this.queued && this.phase === RUNNING) this.scheduleTask();
  }

  /** Adds a metric (wiring time). Throws on an invalid or duplicate name. */
  addMetric(metric: Metric): void {
    const dispatcher = this.dispatcher;
    const route = routeOf(this.name, metric);
    claimMetric(this, dispatcher.metrics, metric);
    metric.attach?.(this.host);
    dispatcher.add(route);
  }

  /** The metrics of this recorder, in dispatch order. */
  getMetrics(): readonly Metric[] {
    return this.dispatcher.metrics;
  }

  /** Current state of every metric (immutable copies). A throwing `snapshot()` is reported and skipped. */
  getMetricSnapshots(): MetricSnapshot[] {
    return this.dispatcher.snapshots();
  }

  /** Counters; see {@link RecorderStats} for the invariant. */
  stats(): RecorderStats {
    const { processed, accepted, failed } = this.dispatcher;
    return {
      registered: this.registered,
      processed,
      accepted,
      ignored: processed - accepted,
      dropped: this.queue.refused + this.queue.evicted,
      failed: failed + this.hooks.failures,
      rejected: this.rejected,
      pending: this.queue.size,
      capacity: this.capacity,
    };
  }

  /** Post-change hook for subclasses: runs after a metric accepted an event, before listeners. */
  protected afterChange(_change: MetricChange): void {}

  /**
   * Listens to every accepted event. Returns the unsubscribe function. A listener that reads each
   * change during its call only says `{ transient: true }`, which spares the recorder an object
   * per change.
   */
  onChange(listener: ChangeListener, options?: ChangeListenerOptions): () => void {
    return this.hooks.onChange(listener, options);
  }

  /** Listens to the end of each processing batch, to coalesce work. Returns the unsubscribe function. */
  onBatchEnd(listener: BatchListener): () => void {
    return this.hooks.onBatchEnd(listener);
  }

  /** Installs (or with `undefined` removes) the function whose result travels with each event as `context`. */
  setContextCapture(capture: ContextCapture | undefined): void {
    optionalFunction({ label: `Recorder "${this.name}"` }, { capture }, 'capture');
    this.capture = capture;
    if (capture !== undefined) this.queue.keepContexts();
  }

  /** Replaces the error handler (a runtime passes its own). */
  setErrorHandler(handler: ErrorHandler): void {
    optionalFunction({ label: `Recorder "${this.name}"` }, { handler: handler ?? null }, 'handler');
    this.reports.reporter.handler = handler;
  }

  /** Starts processing (events registered before are kept and processed now). Idempotent. */
  start(): void {
    if (this.phase !== CREATED) return;
    this.phase = RUNNING;
    this.kick();
  }

  /**
   * Resolves once every event registered before the call has been processed (or dropped). Before
   * `start()` (a runtime's recorders start with `runtime.start()`) nothing is processed, so the
   * promise stays pending until the recorder starts; `stop()` drains a recorder never started too.
   */
  flush(): Promise<void> {
    if (this.queue.size === 0) return Promise.resolve();
    // Waits for what entered the queue so far (refused events never did) to leave it, processed
    // or evicted: exact for any overflow policy, as the queue counts both kinds of loss.
    const flushed = this.waiters.wait(this.registered - this.queue.refused);
    this.kick();
    return flushed;
  }

  /**
   * Processes every pending event now, on the caller's stack. For collectors that must read
   * fresh state (the OTel bridge calls it before a collection); production code never needs it.
   * Called from a hook while this recorder is processing, it returns at once: order comes first.
   */
  processPending(): void {
    if (this.phase === CREATED || this.draining) return;
    while (this.drainGuarded(Number.POSITIVE_INFINITY)) {
      /* drain returns false once empty */
    }
  }

  /** Refuses new events, processes the pending ones, then resolves. Idempotent. */
  stop(): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    this.phase = STOPPING;
    // Pending events still drain: STOPPING refuses new ones but keeps the task scheduled.
    this.stopping = this.flush().then(() => {
      this.phase = STOPPED;
    });
    return this.stopping;
  }

  /**
   * Drops every pending event unprocessed and returns how many: what a shutdown that ran out of
   * time does with what is left. They are counted in `stats().dropped` (the invariant
   * `registered = processed + dropped + pending` holds) and `flush()`/`stop()` waiting for them
   * resolve. Call it after `stop()`; on a running recorder, events registered later still queue.
   */
  discardPending(): number {
    const count = this.queue.size;
    if (count === 0) return 0;
    // Counted as evicted: the queue's own tally of queued events that left unprocessed.
    while (this.queue.size > 0) this.queue.shift();
    this.queue.evicted += count;
    this.settleWaiters();
    return count;
  }

  private kick(): void {
    if (this.queue.size > 0 && !this.queued && this.phase !== CREATED) this.scheduleTask();
    this.settleWaiters();
  }

  // A scheduler of the user's own may throw: the event stays pending (the next registerEvent or
  // flush asks again) and the producer's stack never sees it.
  private scheduleTask(): void {
    this.queued = true;
    try {
      this.scheduler.schedule(this.task);
    } catch (error) {
      this.queued = false;
      this.reports.scheduleFailed(error);
    }
  }

  private drainGuarded(deadline: number): boolean {
    this.draining = true;
    const before = this.dispatcher.processed;
    try {
      return this.drain(deadline);
    } catch (error) {
      // Metrics and hooks are contained one by one; what is left (a throwing clock) must not
      // leave the scheduler's turn either. Events already taken are counted as processed.
      this.reports.processingFailed(error);
      this.settleWaiters();
      return this.queue.size > 0 && this.dispatcher.processed > before;
    } finally {
      this.draining = false;
    }
  }

  // The scheduler's visit. Only here does `queued` go back to false: the scheduler holds the task
  // until a visit returns false, so a drain by processPending() must leave the flag alone, or the
  // next registerEvent would schedule the task a second time.
  private drainQueued(deadline: number): boolean {
    const more = this.drainGuarded(deadline);
    if (!more) this.queued = false;
    return more;
  }

  private drain(deadline: number): boolean {
    const count = this.dispatcher.processBatch(this.queue, deadline);
    if (count > 0) this.endBatch(count);
    if (this.queue.size > 0) return true;
    if (this.queue.oversized) return this.burst.burstEnded(count);
    return false;
  }

  private endBatch(count: number): void {
    this.hooks.endBatch(this, count);
    this.settleWaiters();
  }

  private settleWaiters(): void {
    if (this.waiters.size > 0) this.waiters.settle(this.dispatcher.processed + this.queue.evicted);
  }

  private captureInto(slot: number): void {
    const contexts = this.queue.contexts as unknown[];
    try {
      contexts[slot] = (this.capture as ContextCapture)();
    } catch (error) {
      contexts[slot] = undefined;
      this.reports.captureFailed(error);
    }
  }

  private reject(event: unknown, code: RejectionCode): void {
    this.rejected++;
    this.reports.rejected(event, code, this.state);
  }
}
