import { performance } from 'node:perf_hooks';
import {
  CLUSTER_TELEMETRY_RECORDER,
  ClusterPrimary,
  clusterTelemetryMetrics,
} from '../cluster/cluster-primary.js';
import type { ClusterPrimaryOptions } from '../cluster/types.js';
import { describeError } from '../errors/describe-error.js';
import { type ErrorHandler, MetricsError, MetricsWiringError } from '../errors/index.js';
import { cleanName, describeValue, MAX_ATTRIBUTE_VALUE_LENGTH } from '../internal/attributes.js';
import { ListenerList } from '../internal/listener-list.js';
import {
  optionalBoolean,
  optionalFunction,
  optionsObject,
  readOption,
} from '../internal/option-checks.js';
import { MetricsRecorder } from '../recorder/metrics-recorder.js';
import type { ContextCapture } from '../recorder/types.js';
import { resolveScheduler, type Scheduler } from '../scheduler/scheduler.js';
import { ExposedRecorder } from '../workers/exposed-recorder.js';
import { isTerminal, RuntimeStateMachine } from './runtime-state.js';
import {
  discardLeftovers,
  drainWithin,
  type GivenUp,
  schedulerThrew,
  shutdownTimeout,
  watchScheduler,
} from './shutdown-drain.js';
import type {
  CreateRecorderOptions,
  MetricsRuntimeOptions,
  RecorderListener,
  RuntimeState,
  ShutdownOptions,
  StateListener,
} from './types.js';
import {
  type BufferDefaults,
  checkCreateOptions,
  checkRuntimeOptions,
  isWiringError,
} from './validate-options.js';

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
  private readonly lifecycle: RuntimeStateMachine;
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
  /** What recorders are given: the scheduler, watched for throws when it is the user's own. */
  private readonly recorderScheduler: Scheduler;
  /** Set while draining: gives the drain up at once, with the reason. */
  private cutDrainShort: ((givenUp: GivenUp) => void) | undefined;
  private primary: ClusterPrimary | undefined;

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
    this.lifecycle = new RuntimeStateMachine(this.namespace, this.onError);
    this.scheduler = resolveScheduler(
      checked.scheduler,
      this.clock,
      this.onError,
      `MetricsRuntime "${this.namespace}"`,
    );
    // A built-in scheduler never throws from schedule(); a user's own may, and while draining
    // that leaves events nobody will process: the runtime fails at once instead of waiting.
    this.recorderScheduler =
      typeof checked.scheduler === 'object'
        ? watchScheduler(this.scheduler, (error) => this.cutDrainShort?.(schedulerThrew(error)))
        : this.scheduler;
  }

  /** Starts processing for every recorder, present and future. Idempotent. */
  start(): void {
    if (this.state !== 'initializing') return;
    for (const recorder of this.byName.values()) recorder.start();
    this.lifecycle.moveTo('running');
  }

  /** True between `start()` and `shutdown()`. */
  get isRunning(): boolean {
    return this.state === 'running';
  }

  /**
   * Where the runtime is in its lifecycle:
   * `'initializing' → 'running' → 'draining' → 'drained'`, or `'failed'` when `shutdown()` could
   * not drain in time. A health check reads it; {@link MetricsRuntime.onStateChange} watches it.
   */
  get state(): RuntimeState {
    return this.lifecycle.state;
  }

  /**
   * Calls `listener(state, previous)` on every transition from now on, in order. Returns the
   * unsubscribe function. A listener that throws is reported (`listener-failed`); the others run.
   *
   * @example
   * runtime.onStateChange((state, previous) => log.info(`metrics ${previous} → ${state}`));
   */
  onStateChange(listener: StateListener): () => void {
    return this.lifecycle.subscribe(listener);
  }

  /**
   * Creates a recorder: one measured scope with its own metric instances. Throws if the name is
   * taken or the runtime is shut down.
   */
  createRecorder(name: string, options: CreateRecorderOptions = {}): MetricsRecorder {
    if (this.stopped) {
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
      scheduler: this.recorderScheduler,
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
    if (this.stopped) {
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

  /**
   * The primary's side of cluster mode for this runtime (one per runtime: a second call returns
   * the same one): events that worker processes register with `connectToPrimary(name)` go to this
   * runtime's recorder `name`. `shutdown()` closes it before draining.
   *
   * @example
   * const primary = runtime.clusterPrimary();
   * primary.attachCluster(cluster);
   * cluster.fork();
   */
  clusterPrimary(
    options: Omit<ClusterPrimaryOptions, 'onError'> & {
      /** A recorder `mvx_cluster` with the `cluster.events` and `cluster.workers` metrics (default true). */
      selfTelemetry?: boolean;
    } = {},
  ): ClusterPrimary {
    if (this.primary !== undefined) return this.primary;
    if (this.stopped) {
      throw new MetricsWiringError(
        'runtime-shut-down',
        `Cannot take events from worker processes: the runtime "${this.namespace}" is shut down.`,
      );
    }
    // Read once, through the checks: a throwing getter or a mistyped value is a wiring error.
    const owner = { label: `MetricsRuntime "${this.namespace}": clusterPrimary` };
    const opts = optionsObject(owner, options);
    const selfTelemetry = optionalBoolean(owner, opts, 'selfTelemetry') ?? true;
    const workerProperty = readOption(owner, opts, 'workerProperty');
    const revive = readOption(owner, opts, 'revive');
    const maxRecorderNames = readOption(owner, opts, 'maxRecorderNames');
    const checked = {
      ...(workerProperty === undefined ? {} : { workerProperty }),
      ...(revive === undefined ? {} : { revive }),
      ...(maxRecorderNames === undefined ? {} : { maxRecorderNames }),
      onError: this.onError,
    } as ClusterPrimaryOptions;
    // The primary checks its options before the telemetry recorder is created.
    const primary = new ClusterPrimary(this, checked);
    const telemetry = selfTelemetry
      ? (this.byName.get(CLUSTER_TELEMETRY_RECORDER) ??
        this.createRecorder(CLUSTER_TELEMETRY_RECORDER, { metrics: clusterTelemetryMetrics }))
      : undefined;
    primary.setTelemetry(telemetry);
    this.primary = primary;
    return this.primary;
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

  /**
   * Stops every recorder after draining it: `'draining'`, then `'drained'`. A drain that does not
   * finish within `timeoutMs` (a slow metric, a scheduler that never runs), or whose scheduler
   * throws from `schedule()` meanwhile, discards what is left, counted as dropped and reported
   * (`shutdown-timeout`), and ends `'failed'`. Never rejects. Idempotent: later calls return the
   * same promise.
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    if (this.shuttingDown !== undefined) return this.shuttingDown;
    const timeoutMs = shutdownTimeout(this.namespace, options);
    if (this.state === 'initializing')
      for (const recorder of this.byName.values()) recorder.start();
    this.lifecycle.moveTo('draining');
    // What workers already sent is taken in before the recorders drain and stop.
    this.primary?.close();
    for (const name of [...this.exposed.keys()]) this.closeExposure(name);
    const recorders = [...this.byName.values()];
    const cutShort = new Promise<GivenUp>((resolve) => {
      this.cutDrainShort = resolve;
    });
    const drained = Promise.all(recorders.map((r) => r.stop()));
    this.shuttingDown = drainWithin(drained, timeoutMs, cutShort).then((givenUp) => {
      this.cutDrainShort = undefined;
      if (givenUp === undefined) {
        this.lifecycle.moveTo('drained');
        return;
      }
      this.onError(discardLeftovers(this.namespace, recorders, givenUp));
      this.lifecycle.moveTo('failed');
    });
    return this.shuttingDown;
  }

  private get stopped(): boolean {
    return this.state === 'draining' || isTerminal(this.state);
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
