import { describeError } from '../errors/describe-error.js';
import {
  defaultErrorHandler,
  type ErrorHandler,
  MetricsError,
  MetricsWiringError,
} from '../errors/index.js';
import { BatchDecoder } from '../events/batch-decoder.js';
import { describeValue } from '../internal/attributes.js';
import {
  optionalFunction,
  optionalInteger,
  optionsObject,
  readOption,
} from '../internal/option-checks.js';
import { counter, type Metric, upDownCounter } from '../metrics/index.js';
import type { MetricsRecorder } from '../recorder/metrics-recorder.js';
import type { IpcChannel } from './protocol.js';
import type {
  AttachWorkerOptions,
  ClusterPrimaryOptions,
  ClusterPrimaryStats,
  ClusterWorkerStats,
} from './types.js';
import { type LinkOwner, WorkerLink } from './worker-link.js';

/** Where the primary finds recorders by name: a `MetricsRuntime`, or anything with `getRecorder`. */
export interface RecorderSource {
  getRecorder(name: string): MetricsRecorder | undefined;
}

/** A cluster worker (`cluster.fork()`) or a child process (`child_process.fork()`): what `attach` accepts. */
export type WorkerProcess = IpcChannel & {
  readonly pid?: number | undefined;
  readonly process?: { readonly pid?: number | undefined };
};

/** The part of `node:cluster` that {@link ClusterPrimary.attachCluster} uses. */
export interface ClusterLike {
  on(event: 'fork', listener: (worker: WorkerProcess) => void): unknown;
  off(event: 'fork', listener: (worker: WorkerProcess) => void): unknown;
  readonly workers?: NodeJS.Dict<WorkerProcess> | undefined;
}

const TELEMETRY_EVENT = 'mvx.cluster.events';
const TELEMETRY_WORKERS = 'mvx.cluster.workers';

/** Default of `maxRecorderNames`: the recorder names one worker may send events for. */
export const DEFAULT_MAX_RECORDER_NAMES = 10_000;

/** Name of the recorder `runtime.clusterPrimary()` creates for cluster mode's self-telemetry. */
export const CLUSTER_TELEMETRY_RECORDER = 'mvx_cluster';

/**
 * The self-telemetry metrics of cluster mode, exported like any metric once a bridge is attached:
 * `cluster.events` (a counter by `outcome`: received, dropped, unserialisable, lost) and
 * `cluster.workers` (an up-down counter: workers connected now).
 */
export function clusterTelemetryMetrics(): Metric[] {
  return [
    counter({
      name: 'cluster.events',
      description:
        'Events from worker processes, by outcome: received by the primary, dropped by a full worker buffer, unserialisable, lost with a worker that died, or refused (a recorder name beyond maxRecorderNames)',
      unit: '{event}',
      on: TELEMETRY_EVENT,
      attributes: (e) => ({ outcome: (e as { outcome: string }).outcome }),
      value: (e) => (e as { count: number }).count,
      initial: [
        { outcome: 'received' },
        { outcome: 'dropped' },
        { outcome: 'unserialisable' },
        { outcome: 'lost' },
        { outcome: 'refused' },
      ],
    }),
    upDownCounter({
      name: 'cluster.workers',
      description: 'Worker processes connected to the primary',
      unit: '{worker}',
      on: TELEMETRY_WORKERS,
      value: (e) => (e as { delta: number }).delta,
    }),
  ];
}

const STATS_KEYS = [
  'registered',
  'received',
  'dropped',
  'unserialisable',
  'rejected',
  'inFlight',
  'lost',
  'unknownRecorder',
  'batches',
  'refused',
] as const;

/**
 * The primary's side of cluster mode: events that workers register with `connectToPrimary(name)`
 * arrive here and are registered into the runtime's recorder `name`, so the metric state, and the
 * one `/metrics`, live in the primary and outlive any worker. A worker that dies loses only what
 * it had not delivered; what it had announced is counted as `lost` and reported once per worker.
 *
 * @example
 * import cluster from 'node:cluster';
 * const primary = createClusterPrimary(runtime);
 * primary.attachCluster(cluster);
 * for (let i = 0; i < 4; i++) cluster.fork();
 */
export class ClusterPrimary {
  private readonly source: RecorderSource;
  private readonly links = new Set<WorkerLink>();
  private readonly done: ClusterPrimaryStats = emptyStats();
  private attached = 0;
  private isClosed = false;
  private readonly unknownNames = new Set<string>();
  private readonly onError: ErrorHandler;
  private readonly owner: LinkOwner;
  private readonly detachers = new Set<() => void>();
  private telemetry: MetricsRecorder | undefined;

  constructor(source: RecorderSource, options: ClusterPrimaryOptions = {}) {
    const label = { label: 'createClusterPrimary' };
    if (typeof (source as Partial<RecorderSource> | null)?.getRecorder !== 'function') {
      throw new MetricsWiringError(
        'invalid-option',
        `createClusterPrimary needs a MetricsRuntime (or an object with getRecorder(name)), got ${describeValue(source)}.`,
      );
    }
    this.source = source;
    const opts = optionsObject(label, options);
    this.onError = optionalFunction<ErrorHandler>(label, opts, 'onError') ?? defaultErrorHandler;
    const workerProperty = readOption(label, opts, 'workerProperty');
    if (
      workerProperty !== undefined &&
      (typeof workerProperty !== 'string' ||
        workerProperty === '' ||
        workerProperty === '__proto__')
    ) {
      throw new MetricsWiringError(
        'invalid-option',
        `createClusterPrimary: workerProperty must be a non-empty property name other than "__proto__", got ${describeValue(workerProperty)}.`,
      );
    }
    const revive = optionalFunction<(event: object, recorder: string) => object>(
      label,
      opts,
      'revive',
    );
    const maxRecorderNames =
      optionalInteger(label, opts, 'maxRecorderNames', 1) ?? DEFAULT_MAX_RECORDER_NAMES;
    let unknownOverflow = false;
    let reviveFailed = false;
    this.owner = {
      recorder: (name) => this.source.getRecorder(name),
      workerProperty: workerProperty as string | undefined,
      revive,
      decoder: new BatchDecoder(),
      maxRecorderNames,
      namesExceeded: (worker, name) =>
        this.report(
          new MetricsError(
            'cardinality-limit',
            `Cluster primary: worker ${worker} sends events for more than ${maxRecorderNames} recorder names (maxRecorderNames); messages for "${name}" and any further name are refused, counted in stats().refused.`,
          ),
        ),
      unknownRecorder: (name, worker) => {
        if (this.unknownNames.has(name)) return;
        // Remembered to report each name once, up to the same bound as the books.
        if (this.unknownNames.size >= maxRecorderNames) {
          if (unknownOverflow) return;
          unknownOverflow = true;
          this.report(
            new MetricsError(
              'unknown-recorder',
              `Cluster primary: workers send events for more than ${maxRecorderNames} recorder names the primary's runtime does not have (latest "${name}" from worker ${worker}); further names are not reported one by one. Counted in stats().unknownRecorder.`,
            ),
          );
          return;
        }
        this.unknownNames.add(name);
        this.report(
          new MetricsError(
            'unknown-recorder',
            `Cluster primary: worker ${worker} sends events for recorder "${name}", which the primary's runtime does not have (create it in the primary); counted in stats().unknownRecorder.`,
          ),
        );
      },
      disconnected: (link) => this.disconnected(link),
      counted: (outcome, count) =>
        this.telemetry?.registerEvent({ type: TELEMETRY_EVENT, outcome, count }),
      failed: (message, cause) => {
        // A failing revive fails for every event: report it once.
        if (message.startsWith('revive threw')) {
          if (reviveFailed) return;
          reviveFailed = true;
        }
        this.report(
          new MetricsError(
            'listener-failed',
            `Cluster primary: ${message}: ${describeError(cause)}`,
            { cause },
          ),
        );
      },
    };
  }

  /**
   * Sends self-telemetry events (see {@link clusterTelemetryMetrics}) to `recorder` from now on;
   * `runtime.clusterPrimary()` does this with its `mvx_cluster` recorder.
   * @internal
   */
  setTelemetry(recorder: MetricsRecorder | undefined): void {
    this.telemetry = recorder;
  }

  /**
   * Takes the events of one worker process (`cluster.fork()`'s Worker or `child_process.fork()`'s
   * ChildProcess). Attach it right after forking, before it can send.
   */
  attach(worker: WorkerProcess, options: AttachWorkerOptions = {}): void {
    if (this.isClosed) {
      throw new MetricsWiringError(
        'exposure-closed',
        'Cluster primary is closed: attach workers before close().',
      );
    }
    const end = worker as Partial<WorkerProcess> | null;
    if (end === null || typeof end !== 'object' || typeof end.on !== 'function') {
      throw new MetricsWiringError(
        'invalid-option',
        `ClusterPrimary.attach needs a cluster Worker or a forked ChildProcess, got ${describeValue(worker)}.`,
      );
    }
    const opts = optionsObject({ label: 'ClusterPrimary.attach' }, options);
    const pid = worker.process?.pid ?? worker.pid;
    const given = readOption({ label: 'ClusterPrimary.attach' }, opts, 'label');
    if (given !== undefined && typeof given !== 'string') {
      throw new MetricsWiringError(
        'invalid-option',
        `ClusterPrimary.attach: label must be a string, got ${describeValue(given)}.`,
      );
    }
    this.links.add(new WorkerLink(this.owner, worker, given ?? String(pid), pid));
    this.attached++;
    this.telemetry?.registerEvent({ type: TELEMETRY_WORKERS, delta: 1 });
  }

  /** Attaches every worker `cluster` forks from now on (and those it already has). Returns the function that stops attaching. */
  attachCluster(cluster: ClusterLike): () => void {
    const onFork = (worker: WorkerProcess): void => this.attach(worker);
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined) this.attach(worker);
    }
    cluster.on('fork', onFork);
    const stop = (): void => {
      cluster.off('fork', onFork);
      this.detachers.delete(stop);
    };
    this.detachers.add(stop);
    return stop;
  }

  /** Counters summed over every worker; `registered = received + dropped + unserialisable + inFlight + lost`. */
  stats(): ClusterPrimaryStats {
    const sum = { ...this.done, workers: this.attached, connected: this.links.size };
    for (const link of this.links) {
      const s = link.stats();
      for (const key of STATS_KEYS) sum[key] += s[key];
    }
    return sum;
  }

  /** One entry per worker still connected. */
  workerStats(): ClusterWorkerStats[] {
    return [...this.links].map((link) => link.stats());
  }

  /**
   * Stops taking events (messages already delivered are registered). Counts of workers still
   * connected become final with what they announced as `inFlight`. Idempotent.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const stop of [...this.detachers]) stop();
    for (const link of [...this.links]) {
      link.detach();
      this.fold(link, false);
    }
  }

  private disconnected(link: WorkerLink): void {
    this.fold(link, true);
  }

  // A worker's channel closed: fold its final counts in (closed workers cost no memory) and
  // report what it announced but never delivered.
  private fold(link: WorkerLink, report: boolean): void {
    if (!this.links.delete(link)) return;
    const s = link.stats();
    for (const key of STATS_KEYS) this.done[key] += s[key];
    this.telemetry?.registerEvent({ type: TELEMETRY_WORKERS, delta: -1 });
    if (s.lost > 0)
      this.telemetry?.registerEvent({ type: TELEMETRY_EVENT, outcome: 'lost', count: s.lost });
    if (report && s.lost > 0) {
      this.report(
        new MetricsError(
          'worker-events-lost',
          `Cluster primary: worker ${link.label} disconnected with ${s.lost} event(s) it had registered but never delivered (it exited or was killed first); counted in stats().lost.`,
        ),
      );
    }
  }

  private report(error: MetricsError): void {
    try {
      this.onError(error);
    } catch {
      // contained: a throwing error handler must not break the primary
    }
  }
}

/**
 * Creates the primary's side of cluster mode over a runtime (recorders are found by name when
 * events arrive, so create them before workers send).
 */
export function createClusterPrimary(
  source: RecorderSource,
  options: ClusterPrimaryOptions = {},
): ClusterPrimary {
  return new ClusterPrimary(source, options);
}

function emptyStats(): ClusterPrimaryStats {
  return {
    workers: 0,
    connected: 0,
    registered: 0,
    received: 0,
    dropped: 0,
    unserialisable: 0,
    rejected: 0,
    inFlight: 0,
    lost: 0,
    unknownRecorder: 0,
    batches: 0,
    refused: 0,
  };
}
