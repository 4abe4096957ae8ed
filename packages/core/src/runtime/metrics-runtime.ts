import { performance } from 'node:perf_hooks';
import { describeError } from '../errors/describe-error.js';
import {
  defaultErrorHandler,
  type ErrorHandler,
  MetricsError,
  MetricsWiringError,
} from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import { checkOverflow, checkPositiveInteger } from '../internal/buffer-options.js';
import { ListenerList } from '../internal/listener-list.js';
import {
  optionalClock,
  optionalFunction,
  optionalOneOf,
  optionsObject,
  readOption,
} from '../internal/option-checks.js';
import { isValidMetricName } from '../metrics/name.js';
import type { Metric } from '../metrics/types.js';
import { MetricsRecorder } from '../recorder/metrics-recorder.js';
import type { ContextCapture, OverflowPolicy, UnhandledEventsPolicy } from '../recorder/types.js';
import { UNHANDLED_EVENTS } from '../recorder/validate-options.js';
import { resolveScheduler, type Scheduler, type SchedulerOption } from '../scheduler/scheduler.js';
import { ExposedRecorder } from '../workers/exposed-recorder.js';

/** Options of {@link MetricsRuntime}. */
export interface MetricsRuntimeOptions {
  /** Prefix of every exported instrument (`${namespace}.${metric.name}`); OTel instrument-name syntax. */
  namespace: string;
  /** Default buffer bound of each recorder (65 536). */
  maxPendingEvents?: number;
  /** Default overflow policy of each recorder (`'drop-newest'`). */
  overflow?: OverflowPolicy;
  /** `'immediate'` (default, time-budgeted `setImmediate` batches), `'sync'` (tests), or your own. */
  scheduler?: SchedulerOption;
  /** Receives run-time problems; default: one `console.warn` line per kind. */
  onError?: ErrorHandler;
  /** Monotonic milliseconds (default `performance.now`). */
  clock?: () => number;
  /** Default of each recorder: `'report'` an event type no metric selects (once per type), or `'ignore'`. */
  unhandledEvents?: UnhandledEventsPolicy;
}

/** Options of {@link MetricsRuntime.createRecorder}. */
export interface CreateRecorderOptions {
  /** The recorder's metrics, or a factory called with the recorder's name so each scope gets its own instances. */
  metrics?: readonly Metric[] | ((scope: string) => readonly Metric[]);
  maxPendingEvents?: number;
  overflow?: OverflowPolicy;
  /** Overrides the runtime's `unhandledEvents` for this recorder. */
  unhandledEvents?: UnhandledEventsPolicy;
}

/** Called with a recorder when it joins or leaves the runtime. */
export type RecorderListener = (recorder: MetricsRecorder) => void;

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
  private readonly maxPendingEvents: number | undefined;
  private readonly overflow: OverflowPolicy | undefined;
  private readonly unhandledEvents: UnhandledEventsPolicy | undefined;
  private readonly clock: () => number;
  private readonly added = new ListenerList<RecorderListener>();
  private readonly removed = new ListenerList<RecorderListener>();
  private capture: ContextCapture | undefined;
  private shuttingDown: Promise<void> | undefined;
  private readonly onError: ErrorHandler;
  private readonly exposed = new Map<string, ExposedRecorder>();

  constructor(options: MetricsRuntimeOptions) {
    const opts = optionsObject({ label: 'MetricsRuntime' }, options ?? null);
    const namespace = readOption({ label: 'MetricsRuntime' }, opts, 'namespace');
    if (!isValidMetricName(namespace)) {
      throw new MetricsWiringError(
        'invalid-option',
        `MetricsRuntime needs a namespace in OpenTelemetry instrument-name syntax (e.g. "docs" or "acme.storage"), got ${describeValue(namespace)}.`,
      );
    }
    this.namespace = namespace;
    const owner = { label: `MetricsRuntime "${namespace}"` };
    // The recorders' defaults are checked now, not at the first createRecorder.
    const defaults = bufferOptions(owner.label, opts);
    this.maxPendingEvents = defaults.maxPendingEvents;
    this.overflow = defaults.overflow;
    this.unhandledEvents = defaults.unhandledEvents;
    const scheduler = readOption(owner, opts, 'scheduler') as SchedulerOption | undefined;
    const handler = optionalFunction<ErrorHandler>(owner, opts, 'onError') ?? defaultErrorHandler;
    const clock = optionalClock(owner, opts);
    this.clock = clock ?? (() => performance.now());
    this.onError = (error) => {
      try {
        handler(error);
      } catch {
        // contained: a throwing error handler must not break the runtime
      }
    };
    this.scheduler = resolveScheduler(scheduler, this.clock, this.onError, owner.label);
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
    if (this.byName.has(name)) {
      throw new MetricsWiringError(
        'recorder-name-taken',
        `Recorder name "${name}" is already taken in runtime "${this.namespace}": use getRecorder("${name}"), or removeRecorder it first.`,
      );
    }
    const { metrics, maxPendingEvents, overflow, unhandledEvents } = this.checkCreateOptions(
      name,
      options,
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
    this.byName.set(name, recorder);
    if (this.state === 'running') recorder.start();
    try {
      this.notify(this.added, recorder, 'onRecorderAdded', true);
    } catch (error) {
      // A listener refused the recorder at wiring time (e.g. a bridge found a metric name
      // clash): undo the creation and let the wiring code see the error.
      this.byName.delete(name);
      this.notify(this.removed, recorder, 'onRecorderRemoved');
      void recorder.stop();
      throw error;
    }
    return recorder;
  }

  // createRecorder's options, each read once; the recorder checks what it receives again.
  private checkCreateOptions(
    name: string,
    raw: CreateRecorderOptions,
  ): {
    metrics: readonly Metric[];
    maxPendingEvents?: number;
    overflow?: OverflowPolicy;
    unhandledEvents?: UnhandledEventsPolicy;
  } {
    const owner = { label: `createRecorder("${typeof name === 'string' ? name : '?'}")` };
    const options = optionsObject(owner, raw);
    const given = readOption(owner, options, 'metrics');
    let metrics: unknown = given === undefined ? [] : given;
    if (typeof given === 'function') {
      try {
        metrics = given(name);
      } catch (error) {
        throw new MetricsWiringError(
          'invalid-option',
          `${owner.label}: the metrics factory threw: ${describeError(error)}.`,
          { cause: error },
        );
      }
    }
    let list: Metric[] | undefined;
    try {
      list = Array.isArray(metrics) ? [...metrics] : undefined;
    } catch {
      list = undefined;
    }
    if (list === undefined) {
      throw new MetricsWiringError(
        'invalid-option',
        `${owner.label}: option \`metrics\` must be an array of metrics or a function returning one, got ${describeValue(typeof given === 'function' ? metrics : given)}${typeof given === 'function' ? ' from the factory' : ''}.`,
      );
    }
    const own = bufferOptions(owner.label, options);
    const maxPendingEvents = own.maxPendingEvents ?? this.maxPendingEvents;
    const overflow = own.overflow ?? this.overflow;
    const unhandledEvents = own.unhandledEvents ?? this.unhandledEvents;
    return {
      metrics: list,
      ...(maxPendingEvents === undefined ? {} : { maxPendingEvents }),
      ...(overflow === undefined ? {} : { overflow }),
      ...(unhandledEvents === undefined ? {} : { unhandledEvents }),
    };
  }

  /** The recorder called `name`, if any. */
  getRecorder(name: string): MetricsRecorder | undefined {
    return this.byName.get(name);
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
    const existing = this.exposed.get(name);
    if (existing !== undefined) return existing;
    if (this.state === 'shutting-down' || this.state === 'shut-down') {
      throw new MetricsWiringError(
        'runtime-shut-down',
        `Cannot expose recorder "${name}" to workers: the runtime "${this.namespace}" is shut down.`,
      );
    }
    const recorder = this.byName.get(name);
    if (recorder === undefined) {
      throw new MetricsWiringError(
        'unknown-recorder',
        `Cannot expose recorder "${name}" to workers: runtime "${this.namespace}" has no recorder of that name. Create it with createRecorder first.`,
      );
    }
    const exposure = new ExposedRecorder(recorder, { onError: this.onError });
    this.exposed.set(name, exposure);
    return exposure;
  }

  /** Stops (drains) one recorder; it stays listed with its final state. */
  async stopRecorder(name: string): Promise<void> {
    await this.byName.get(name)?.stop();
  }

  /** Drains and removes one recorder; `onRecorderRemoved` listeners run after it is gone. Resolves `false` for an unknown name. */
  async removeRecorder(name: string): Promise<boolean> {
    const recorder = this.byName.get(name);
    if (recorder === undefined) return false;
    this.closeExposure(name);
    await recorder.stop();
    if (this.byName.get(name) !== recorder) return false;
    this.byName.delete(name);
    this.notify(this.removed, recorder, 'onRecorderRemoved');
    return true;
  }

  /**
   * Runs `listener` for every recorder created from now on. Returns the unsubscribe function.
   * A listener that throws a `MetricsWiringError` refuses the recorder: `createRecorder` undoes
   * the creation and throws it; any other error is reported and the recorder stays.
   */
  onRecorderAdded(listener: RecorderListener): () => void {
    return this.added.add(listener);
  }

  /** Runs `listener` for every recorder removed from now on. Returns the unsubscribe function. */
  onRecorderRemoved(listener: RecorderListener): () => void {
    return this.removed.add(listener);
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

// `instanceof` asks a Proxy for its prototype, which throws once the proxy is revoked.
function isWiringError(error: unknown): boolean {
  try {
    return error instanceof MetricsWiringError;
  } catch {
    return false;
  }
}

// A runtime's and createRecorder's recorder defaults: absent = inherited, anything else checked.
function bufferOptions(
  label: string,
  options: object,
): {
  maxPendingEvents: number | undefined;
  overflow: OverflowPolicy | undefined;
  unhandledEvents: UnhandledEventsPolicy | undefined;
} {
  const owner = { label };
  const capacity = readOption(owner, options, 'maxPendingEvents');
  const overflow = readOption(owner, options, 'overflow');
  return {
    maxPendingEvents:
      capacity === undefined
        ? undefined
        : checkPositiveInteger(label, 'maxPendingEvents', capacity),
    overflow: overflow === undefined ? undefined : checkOverflow(label, overflow),
    unhandledEvents: optionalOneOf(owner, options, 'unhandledEvents', UNHANDLED_EVENTS),
  };
}
