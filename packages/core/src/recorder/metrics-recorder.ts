import { defaultErrorHandler, type ErrorHandler } from '../errors/index.js';
import { describeEvent } from '../events/index.js';
import { describeValue } from '../internal/attributes.js';
import { EventRing } from '../internal/event-ring.js';
import { FlushWaiters } from '../internal/flush-waiters.js';
import { ListenerList } from '../internal/listener-list.js';
import { errorMessage, OnceReporter } from '../internal/once-reporter.js';
import type { Metric, MetricHost } from '../metrics/types.js';
import { resolveScheduler, type Scheduler, type SchedulerTask } from '../scheduler/scheduler.js';
import type { MetricSnapshot } from '../snapshots/types.js';
import { checkUnhandledEvents, DispatchIndex, routeOf } from './dispatch-index.js';
import { claimMetric } from './metric-ownership.js';
import type {
  BatchListener,
  ChangeListener,
  ContextCapture,
  MetricChange,
  OverflowPolicy,
  RecorderOptions,
  RecorderState,
  RecorderStats,
} from './types.js';
import { checkRecorderOptions } from './validate-options.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const CREATED = 0;
const RUNNING = 1;
const STOPPING = 2;
const STOPPED = 3;
const STATES: readonly RecorderState[] = ['created', 'running', 'stopping', 'stopped'];
const CLOCK_EVERY = 128;

/**
 * Receives events from production code and processes them later, in order, through its metrics.
 *
 * @example
 * const recorder = runtime.createRecorder('document_storage', { metrics: [saveAttempts] });
 * recorder.registerEvent(new DocumentSaveAttempt('success'));
 */
export class MetricsRecorder {
  readonly name: string;
  readonly capacity: number;
  readonly overflow: OverflowPolicy;

  private phase = CREATED;
  private metrics: readonly Metric[] = [];
  private readonly scheduler: Scheduler;
  private readonly task: SchedulerTask;
  private readonly clock: () => number;
  private readonly dropOldest: boolean;
  private readonly reporter: OnceReporter;
  private readonly host: MetricHost;
  private readonly index: DispatchIndex;

  private readonly ring: EventRing;
  private queued = false;
  private capture: ContextCapture | undefined;

  private registered = 0;
  private processed = 0;
  private accepted = 0;
  private failed = 0;
  private rejected = 0;
  private droppedNewest = 0;
  private droppedOldest = 0;

  private readonly changeListeners = new ListenerList<ChangeListener>();
  private readonly batchListeners = new ListenerList<BatchListener>();
  private readonly hasAfterChange: boolean;
  private hooked: boolean;
  private readonly waiters = new FlushWaiters();
  private stopping: Promise<void> | undefined;
  // True while events are being dispatched: a hook calling processPending() must not start a
  // nested drain, which would hand later events to some metrics before the current one.
  private draining = false;

  constructor(name: string, options: RecorderOptions = {}) {
    const { capacity, overflow } = checkRecorderOptions(name, options);
    this.name = name;
    this.capacity = capacity;
    this.ring = new EventRing(capacity);
    this.overflow = overflow;
    this.dropOldest = overflow === 'drop-oldest';
    this.clock = options.clock ?? (() => performance.now());
    this.scheduler = resolveScheduler(options.scheduler, options.clock);
    this.reporter = new OnceReporter(options.onError ?? defaultErrorHandler);
    this.task = { drain: (deadline) => this.drainQueued(deadline) };
    this.host = { recorderName: name, report: (error) => this.reporter.report(error) };
    this.hasAfterChange = this.afterChange !== MetricsRecorder.prototype.afterChange;
    this.hooked = this.hasAfterChange;
    const unhandled = checkUnhandledEvents(`Recorder "${name}"`, options.unhandledEvents);
    this.index = new DispatchIndex(name, unhandled, this.host.report);
    for (const metric of options.metrics ?? []) this.addMetric(metric);
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
    if (typeof event !== 'object' || event === null) {
      this.reject(event, 'invalid-event');
      return;
    }
    if (this.phase >= STOPPING) {
      this.reject(event, 'event-after-stop');
      return;
    }
    this.registered++;
    const ring = this.ring;
    if (ring.size >= ring.room && !this.makeRoom()) return;
    const slot = ring.push(event);
    if (this.capture !== undefined) this.captureInto(slot);
    if (!this.queued && this.phase === RUNNING) {
      this.queued = true;
      this.scheduler.schedule(this.task);
    }
  }

  /** Adds a metric (wiring time). Throws on an invalid or duplicate name. */
  addMetric(metric: Metric): void {
    const route = routeOf(this.name, metric);
    claimMetric(this, this.metrics, metric);
    metric.attach?.(this.host);
    this.metrics = [...this.metrics, metric];
    this.index.add(route);
  }

  /** The metrics of this recorder, in dispatch order. */
  getMetrics(): readonly Metric[] {
    return this.metrics;
  }

  /** Current state of every metric (immutable copies). A throwing `snapshot()` is reported and skipped. */
  getMetricSnapshots(): MetricSnapshot[] {
    const out: MetricSnapshot[] = [];
    for (const metric of this.metrics) {
      try {
        out.push(metric.snapshot());
      } catch (error) {
        this.reporter.once(
          `snapshot:${metric.name}`,
          'metric-failed',
          `Metric "${metric.name}" in recorder "${this.name}" threw from snapshot(): ${String(error)}`,
          error,
        );
      }
    }
    return out;
  }

  /** Counters; see {@link RecorderStats} for the invariant. */
  stats(): RecorderStats {
    return {
      registered: this.registered,
      processed: this.processed,
      accepted: this.accepted,
      ignored: this.processed - this.accepted,
      dropped: this.droppedNewest + this.droppedOldest,
      failed: this.failed,
      rejected: this.rejected,
      pending: this.ring.size,
      capacity: this.capacity,
    };
  }

  /** Post-change hook for subclasses: runs after a metric accepted an event, before listeners. */
  protected afterChange(_change: MetricChange): void {}

  /** Listens to every accepted event. Returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    const remove = this.changeListeners.add(listener);
    this.hooked = true;
    return () => {
      remove();
      this.hooked = this.hasAfterChange || this.changeListeners.items.length > 0;
    };
  }

  /** Listens to the end of each processing batch, to coalesce work. Returns the unsubscribe function. */
  onBatchEnd(listener: BatchListener): () => void {
    return this.batchListeners.add(listener);
  }

  /** Installs (or with `undefined` removes) the function whose result travels with each event as `context`. */
  setContextCapture(capture: ContextCapture | undefined): void {
    this.capture = capture;
    if (capture !== undefined) this.ring.keepContexts();
  }

  /** Replaces the error handler (a runtime passes its own). */
  setErrorHandler(handler: ErrorHandler): void {
    this.reporter.handler = handler;
  }

  /** Starts processing (events registered before are kept and processed now). Idempotent. */
  start(): void {
    if (this.phase !== CREATED) return;
    this.phase = RUNNING;
    this.kick();
  }

  /** Resolves once every event registered before the call has been processed (or dropped). */
  flush(): Promise<void> {
    if (this.ring.size === 0) return Promise.resolve();
    const flushed = this.waiters.wait(this.enqueued());
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

  private drainGuarded(deadline: number): boolean {
    this.draining = true;
    try {
      return this.drain(deadline);
    } finally {
      this.draining = false;
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

  // Events that entered the buffer so far; with `retired()` it orders flush waiters.
  private enqueued(): number {
    return this.registered - this.droppedNewest;
  }

  private retired(): number {
    return this.processed + this.droppedOldest;
  }

  private kick(): void {
    if (this.ring.size > 0 && !this.queued && this.phase !== CREATED) {
      this.queued = true;
      this.scheduler.schedule(this.task);
    }
    this.settleWaiters();
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
    const count = this.processBatch(deadline);
    if (count > 0) this.endBatch(count);
    if (this.ring.size > 0) return true;
    if (this.ring.oversized) {
      // A large ring means a burst: keep it while the burst goes on (regrowing it every turn
      // costs more than the events), and give the memory back after one visit finds no new event.
      if (count > 0) return true;
      this.ring.reset();
    }
    return false;
  }

  // The hot loop, on its own so the JIT optimises it apart from the rarely run end of `drain`.
  // The ring's fields are re-read every turn: a hook may register events (and grow it) meanwhile.
  private processBatch(deadline: number): number {
    const ring = this.ring;
    let count = 0;
    while (ring.size > 0) {
      const context = ring.oldestContext();
      const event = ring.shift();
      this.processed++;
      this.dispatch(event, context);
      if (++count % CLOCK_EVERY === 0 && this.clock() >= deadline) break;
    }
    return count;
  }

  private dispatch(event: object, context: unknown): void {
    const metrics = this.index.metricsFor(event);
    let accepted = false;
    for (let i = 0; i < metrics.length; i++) {
      const metric = metrics[i] as Metric;
      let changed: boolean;
      // While a hook listens, the change is built first and handed to the metric to fill in.
      const change: Mutable<MetricChange> | undefined = this.hooked
        ? { recorder: this, metric, event, context, attributes: undefined, value: undefined }
        : undefined;
      try {
        changed = metric.handleEvent(event, change) === true;
      } catch (error) {
        this.failed++;
        this.reporter.once(
          `metric:${metric.name}`,
          'metric-failed',
          `Metric "${metric.name}" in recorder "${this.name}" threw on event ${describeEvent(event)}: ${errorMessage(error)}`,
          error,
        );
        continue;
      }
      if (changed) {
        accepted = true;
        if (change !== undefined) this.fireChange(change);
      }
    }
    if (accepted) this.accepted++;
  }

  private fireChange(change: MetricChange): void {
    if (this.hasAfterChange) {
      try {
        this.afterChange(change);
      } catch (error) {
        this.listenerFailed('afterChange', error);
      }
    }
    const listeners = this.changeListeners.items;
    for (let i = 0; i < listeners.length; i++) {
      try {
        (listeners[i] as ChangeListener)(change);
      } catch (error) {
        this.listenerFailed('onChange listener', error);
      }
    }
  }

  private listenerFailed(what: string, error: unknown): void {
    this.failed++;
    this.reporter.once(
      `listener:${what}`,
      'listener-failed',
      `A post-change ${what} of recorder "${this.name}" threw: ${errorMessage(error)}`,
      error,
    );
  }

  private endBatch(count: number): void {
    this.index.reportUnhandled();
    const listeners = this.batchListeners.items;
    for (let i = 0; i < listeners.length; i++) {
      try {
        (listeners[i] as BatchListener)(this, count);
      } catch (error) {
        this.listenerFailed('onBatchEnd listener', error);
      }
    }
    this.settleWaiters();
  }

  private settleWaiters(): void {
    if (this.waiters.size > 0) this.waiters.settle(this.retired());
  }

  private captureInto(slot: number): void {
    try {
      (this.ring.contexts as unknown[])[slot] = (this.capture as ContextCapture)();
    } catch (error) {
      (this.ring.contexts as unknown[])[slot] = undefined;
      this.reporter.once(
        'capture',
        'context-capture-failed',
        `The context capturer of recorder "${this.name}" threw: ${errorMessage(error)}`,
        error,
      );
    }
  }

  // The buffer is full (drop per the policy; `false` = the new event is dropped) or the ring must grow.
  private makeRoom(): boolean {
    if (this.ring.size >= this.capacity) {
      if (!this.dropOldest) {
        this.droppedNewest++;
        this.noteFull();
        return false;
      }
      this.ring.shift();
      this.droppedOldest++;
      this.noteFull();
      return true;
    }
    this.ring.grow();
    return true;
  }

  private noteFull(): void {
    if (this.reporter.has('full')) return;
    this.reporter.once(
      'full',
      'buffer-full',
      `Recorder "${this.name}" is full (${this.capacity} pending events); dropping the ${this.dropOldest ? 'oldest' : 'newest'} events. Drops are counted in stats().dropped; raise maxPendingEvents or make metrics cheaper.`,
    );
  }

  private reject(event: unknown, code: 'invalid-event' | 'event-after-stop'): void {
    this.rejected++;
    // Rejections come in floods on the producer's stack: build the message only once.
    if (this.reporter.has(code)) return;
    const message =
      code === 'invalid-event'
        ? `Recorder "${this.name}" rejected ${describeValue(event)}: an event must be a non-null object. Rejections are counted in stats().rejected.`
        : `Recorder "${this.name}" is ${this.state} and rejected event ${describeEvent(event)}; rejections are counted in stats().rejected.`;
    this.reporter.once(code, code, message);
  }
}
