import { performance } from 'node:perf_hooks';
import { describeError } from '../errors/describe-error.js';
import { type ErrorHandler, MetricsError, MetricsWiringError } from '../errors/index.js';
import { cleanName, describeValue, MAX_ATTRIBUTE_VALUE_LENGTH } from '../internal/attributes.js';
import { ListenerList } from '../internal/listener-list.js';
import { optionalFunction } from '../internal/option-checks.js';
import { MetricsRecorder } from '../recorder/metrics-recorder.js';
import type { ContextCapture } from '../recorder/types.js';
import { resolveScheduler, type Scheduler } from '../scheduler/scheduler.js';
import { ExposedRecorder } from '../workers/exposed-recorder.js';
import type { CreateRecorderOptions, MetricsRuntimeOptions, RecorderListener } from './types.js';
import {
  type BufferDefaults,
  checkCreateOptions,
  checkRuntimeOptions,
  isWiringError,
} from './validate-options.js';

type RuntimeState = 'created' | 'running' | 'shutting-down' | 'shut-down';

/**
 * Owns the recorders of a service and the one scheduler that processes them all.
 *
 * @example
 * const runtime = new MetricsRuntime({ namespace: 'docs' });
 * runtime.start();
 * const recorder = runtime.createRecorder('document_storage', { metrics: () => [saveAttempts()] });
 * // ...
 * await runtime.shutdown();
 */
export class MetricsRuntime {
  readonly namespace: string;
  /** The scheduler shared by every recorder of this runtime. */
  readonly scheduler: Scheduler;
  private state: RuntimeState = 'created';
  private readonly byName = new Map<string, MetricsRecorder>();
  /** The buffer options each recorder inherits unless createRecorder sets its own. */
  private readonly defaults: BufferDefaults;
  private readonly clock: () => number;
  private readonly added = new ListenerList<RecorderListener>();
  private readonly removed = new ListenerList<RecorderListener>();
  private capture: ContextCapture | undefined;
  private shuttingDown: Promise<void> | undefined;
  private readonly onError: ErrorHandler;
  private readonly exposed = new Map<string, ExposedRecorder>();

  constructor(options: MetricsRuntimeOptions) {
    const checked = checkRuntimeOptions(options);
    this.namespace = checked.namespace;
    this.defaults = {
      maxPendingEvents: checked.maxPendingEvents,
      overflow: checked.overflow,
      unhandledEvents: checked.unhandledEvents,
    };
    this.clock = checked.clock ?? (() => performance.now());
    const handler = checked.onError;
    this.onError = (error) => {
      try {
        handler(error);
      } catch {
        // contained: a throwing error handler must not break the runtime
      }
    };
    this.scheduler = resolveScheduler(
      checked.scheduler,
      this.clock,
      this.onError,
      `MetricsRuntime "${this.namespace}"`,
    );
  }

  /** Starts processing for every recorder, present and future. Idempotent. */
  start(): void {
    if (this.state !== 'created') return;
    this.state = 'running';
    for (const recorder of this.byName.values()) recorder.start();
  }

  /** True until `shutdown()` is called. */
  get isRunning(): boolean {
    return this.state === 'running';
  }

  /**
   * Creates a recorder: one measured scope with its own metric instances. Throws if the name is
   * taken or the runtime is shut down.
   */
  createRecorder(name: string, options: CreateRecorderOptions = {}): MetricsRecorder {
    if (this.state === 'shutting-down' || this.state === 'shut-down') {
      throw new MetricsWiringError(
        'runtime-shut-down',
        `Cannot create recorder "${name}": the runtime "${this.namespace}" is shut down. Create recorders before shutdown(), or use a new MetricsRuntime.`,
      );
    }
    const key = nameKey(name);
    const taken = this.byName.get(key);
    if (taken !== undefined) {
      throw new MetricsWiringError(
        'recorder-name-taken',
        key === name
          ? `Recorder name "${name}" is already taken in runtime "${this.namespace}": use getRecorder("${name}"), or removeRecorder it first.`
          : `Recorder name ${describeValue(name)} is already taken in runtime "${this.namespace}": it becomes ${describeValue(key)} as a label (lone surrogates and NUL turn into U+FFFD, names are cut at ${MAX_ATTRIBUTE_VALUE_LENGTH} characters), which is recorder ${describeValue(taken.name)}. Give it a name that differs after that, or use getRecorder.`,
      );
    }
    const { metrics, maxPendingEvents, overflow, unhandledEvents } = checkCreateOptions(
      name,
      options,
      this.defaults,
    );
    const recorder = new MetricsRecorder(name, {
      metrics,
      scheduler: this.scheduler,
      onError: this.onError,
      clock: this.clock,
      ...(maxPendingEvents === undefined ? {} : { maxPendingEvents }),
      ...(overflow === undefined ? {} : { overflow }),
      ...(unhandledEvents === undefined ? {} : { unhandledEvents }),
    });
    if (this.capture !== undefined) recorder.setContextCapture(this.capture);
    this.byName.set(key, recorder);
    if (this.state === 'running') recorder.start();
    try {
      this.notify(this.added, recorder, 'onRecorderAdded', true);
    } catch (error) {
      // A listener refused the recorder at wiring time (e.g. a bridge found a metric name
      // clash): undo the creation and let the wiring code see the error.
      this.byName.delete(key);
      this.notify(this.removed, recorder, 'onRecorderRemoved');
      void recorder.stop();
      throw error;
    }
    return recorder;
  }

  /** The recorder called `name` (compared as labels are: after the attribute-value rule), if any. */
  getRecorder(name: string): MetricsRecorder | undefined {
    return this.byName.get(nameKey(name));
  }

  /** Every recorder, in creation order. */
  recorders(): MetricsRecorder[] {
    return [...this.byName.values()];
  }

  /**
   * Makes recorder `name` reachable from worker threads (one exposure per recorder: a second call
   * returns the same one). `shutdown()` and `removeRecorder()` take in what workers already sent,
   * then close their connections. Throws if there is no such recorder.
   *
   * @example
   * const handle = runtime.exposeRecorder('hashing').handle();
   * new Worker(url, { workerData: { metrics: handle }, transferList: [handle.port] });
   */
  exposeRecorder(name: string): ExposedRecorder {
    const key = nameKey(name);
    const existing = this.exposed.get(key);
    if (existing !== undefined) return existing;
    if (this.state === 'shutting-down' || this.state === 'shut-down') {
      throw new MetricsWiringError(
        'runtime-shut-down',
        `Cannot expose recorder "${name}" to workers: the runtime "${this.namespace}" is shut down.`,
      );
    }
    const recorder = this.byName.get(key);
    if (recorder === undefined) {
      throw new MetricsWiringError(
        'unknown-recorder',
        `Cannot expose recorder "${name}" to workers: runtime "${this.namespace}" has no recorder of that name. Create it with createRecorder first.`,
      );
    }
    const exposure = new ExposedRecorder(recorder, { onError: this.onError });
    this.exposed.set(key, exposure);
    return exposure;
  }

  /** Stops (drains) one recorder; it stays listed with its final state. */
  async stopRecorder(name: string): Promise<void> {
    await this.byName.get(nameKey(name))?.stop();
  }

  /** Drains and removes one recorder; `onRecorderRemoved` listeners run after it is gone. Resolves `false` for an unknown name. */
  async removeRecorder(name: string): Promise<boolean> {
    const key = nameKey(name);
    const recorder = this.byName.get(key);
    if (recorder === undefined) return false;
    this.closeExposure(key);
    await recorder.stop();
    if (this.byName.get(key) !== recorder) return false;
    this.byName.delete(key);
    this.notify(this.removed, recorder, 'onRecorderRemoved');
    return true;
  }

  /**
   * Runs `listener` for every recorder created from now on. Returns the unsubscribe function.
   * A listener that throws a `MetricsWiringError` refuses the recorder: `createRecorder` undoes
   * the creation and throws it; any other error is reported and the recorder stays.
   */
  onRecorderAdded(listener: RecorderListener): () => void {
    return this.added.add(listener, 'onRecorderAdded: the listener');
  }

  /** Runs `listener` for every recorder removed from now on. Returns the unsubscribe function. */
  onRecorderRemoved(listener: RecorderListener): () => void {
    return this.removed.add(listener, 'onRecorderRemoved: the listener');
  }

  /** Installs the capturer whose result travels with each event as `context` (`undefined` removes it). */
  setContextCapture(capture: ContextCapture | undefined): void {
    optionalFunction({ label: `MetricsRuntime "${this.namespace}"` }, { capture }, 'capture');
    this.capture = capture;
    for (const recorder of this.byName.values()) recorder.setContextCapture(capture);
  }

  /** Processes every pending event of every recorder now (for collectors that need fresh state). */
  processPending(): void {
    for (const recorder of this.byName.values()) recorder.processPending();
  }

  /** Stops every recorder after draining it. Idempotent: later calls return the same promise. */
  shutdown(): Promise<void> {
    if (this.shuttingDown !== undefined) return this.shuttingDown;
    const wasCreated = this.state === 'created';
    this.state = 'shutting-down';
    if (wasCreated) for (const recorder of this.byName.values()) recorder.start();
    // What workers already sent is taken in before the recorders drain and stop.
    for (const name of [...this.exposed.keys()]) this.closeExposure(name);
    this.shuttingDown = Promise.all([...this.byName.values()].map((r) => r.stop())).then(() => {
      this.state = 'shut-down';
    });
    return this.shuttingDown;
  }

  private closeExposure(name: string): void {
    const exposure = this.exposed.get(name);
    if (exposure === undefined) return;
    this.exposed.delete(name);
    exposure.close();
  }

  private notify(
    listeners: ListenerList<RecorderListener>,
    recorder: MetricsRecorder,
    what: string,
    rethrowWiringErrors = false,
  ): void {
    for (const listener of listeners.items) {
      try {
        listener(recorder);
      } catch (error) {
        if (rethrowWiringErrors && isWiringError(error)) throw error;
        this.onError(
          new MetricsError(
            'listener-failed',
            `A ${what} listener of runtime "${this.namespace}" threw for recorder "${recorder.name}": ${describeError(error)}`,
            { cause: error },
          ),
        );
      }
    }
  }
}

// Recorder names are label values: two names that print alike are one name.
function nameKey(name: string): string {
  return typeof name === 'string' ? cleanName(name) : name;
}
