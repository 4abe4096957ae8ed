import { performance } from 'node:perf_hooks';
import { describeError } from '../errors/describe-error.js';
import { type ErrorHandler, MetricsError, MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import {
  optionalClock,
  optionalFunction,
  optionalPositive,
  optionsObject,
} from '../internal/option-checks.js';
import { IdleSweeper, type IdleTask } from './idle-sweeper.js';

export type { IdleTask };

/** Work a scheduler runs: processes pending events until `deadline`; `true` = more is pending. */
export interface SchedulerTask {
  drain(deadline: number): boolean;
}

/** Counters a test or a dashboard can read to see how much work the scheduler did. */
export interface SchedulerStats {
  /** Turns of the event loop in which the scheduler ran. */
  turns: number;
  /** Recorder drains across all turns (an idle recorder adds none). */
  visits: number;
}

/** Decides when recorders process their buffers. One scheduler is shared by all recorders of a runtime. */
export interface Scheduler {
  /** Asks for `task` to be drained later. Called at most once per task until its drain returns `false`. */
  schedule(task: SchedulerTask): void;
  stats(): SchedulerStats;
  /**
   * Optional: runs `task.idle()` once, after `task` has stayed idle for a sustained period (the
   * built-in schedulers: 5 s, one unref'd timer for all tasks); calling it again restarts the
   * period. Without it, a recorder gives a burst's buffer back as soon as the burst is processed.
   */
  scheduleIdle?(task: IdleTask): void;
}

/** Options of {@link createImmediateScheduler}. */
export interface ImmediateSchedulerOptions {
  /** Processing time per event-loop turn before yielding (default 4 ms). */
  budgetMs?: number;
  /** Monotonic clock in milliseconds (default `performance.now`). */
  clock?: () => number;
  /** Receives a task that threw (the task is visited again next turn); default: ignored. */
  onError?: ErrorHandler;
}

/** Options of {@link createSyncScheduler}. */
export interface SyncSchedulerOptions {
  /** Receives a task that threw (it is not retried on the caller's stack); default: ignored. */
  onError?: ErrorHandler;
}

function reportTaskFailure(error: unknown, onError: ErrorHandler | undefined): void {
  try {
    onError?.(
      new MetricsError(
        'scheduler-task-failed',
        `A scheduler task threw; the other tasks go on: ${describeError(error)}`,
        { cause: error },
      ),
    );
  } catch {
    // a throwing error handler is contained too
  }
}

// A task that throws must not leave the scheduler: the other recorders of the runtime share it.
// Returns what the task said, or `true` (visit it again next turn) when it threw.
function visit(task: SchedulerTask, deadline: number, onError: ErrorHandler | undefined): boolean {
  try {
    return task.drain(deadline);
  } catch (error) {
    reportTaskFailure(error, onError);
    return true;
  }
}

/**
 * The default scheduler: drains ready recorders in `setImmediate` turns, each turn bounded by a
 * time budget, so a burst is spread over many turns instead of blocking timers and I/O. Only
 * recorders with pending events are queued; idle ones cost nothing.
 */
export function createImmediateScheduler(raw: ImmediateSchedulerOptions = {}): Scheduler {
  const owner = { label: 'createImmediateScheduler' };
  const checked = optionsObject(owner, raw);
  const budget = optionalPositive(owner, checked, 'budgetMs') ?? 4;
  const clock = optionalClock(owner, checked) ?? (() => performance.now());
  const options = { onError: optionalFunction<ErrorHandler>(owner, checked, 'onError') };
  // A throwing clock ends the turn instead of the process.
  const now = (): number => {
    try {
      return clock();
    } catch {
      return Number.POSITIVE_INFINITY;
    }
  };
  let ready: SchedulerTask[] = [];
  let armed = false;
  const counters: SchedulerStats = { turns: 0, visits: 0 };
  const sweeper = new IdleSweeper(now);

  const run = (): void => {
    armed = false;
    counters.turns++;
    const batch = ready;
    ready = [];
    const deadline = now() + budget;
    let i = 0;
    for (; i < batch.length; i++) {
      const task = batch[i] as SchedulerTask;
      counters.visits++;
      if (visit(task, deadline, options.onError)) ready.push(task);
      if (now() >= deadline) {
        i++;
        break;
      }
    }
    // Recorders not reached this turn go first next turn, so none starves.
    if (i < batch.length) ready = batch.slice(i).concat(ready);
    if (ready.length > 0) arm();
  };

  const arm = (): void => {
    if (armed) return;
    armed = true;
    setImmediate(run);
  };

  return {
    schedule(task) {
      ready.push(task);
      arm();
    },
    scheduleIdle: (task) => sweeper.add(task),
    stats: () => ({ ...counters }),
  };
}

/**
 * Processes inside `registerEvent`, on the caller's stack: for unit tests and synchronous
 * dispatch. Events registered by a hook during processing are processed in the same call.
 */
export function createSyncScheduler(raw: SyncSchedulerOptions = {}): Scheduler {
  const owner = { label: 'createSyncScheduler' };
  const options = {
    onError: optionalFunction<ErrorHandler>(owner, optionsObject(owner, raw), 'onError'),
  };
  const counters: SchedulerStats = { turns: 0, visits: 0 };
  const sweeper = new IdleSweeper(() => performance.now());
  return {
    scheduleIdle: (task) => sweeper.add(task),
    schedule(task) {
      counters.turns++;
      // A task that keeps throwing is not retried on the producer's stack for ever.
      let failures = 0;
      let more = true;
      while (more) {
        counters.visits++;
        try {
          more = task.drain(Number.POSITIVE_INFINITY);
        } catch (error) {
          reportTaskFailure(error, options.onError);
          more = ++failures < 2;
        }
      }
    },
    stats: () => ({ ...counters }),
  };
}

/** How to choose a scheduler in options: a name or your own. */
export type SchedulerOption = 'immediate' | 'sync' | Scheduler;

/**
 * The scheduler an options object names (default: a new `setImmediate` scheduler). Throws a
 * {@link MetricsWiringError} naming `owner`'s `scheduler` option when it is none of those.
 */
export function resolveScheduler(
  option: SchedulerOption | undefined,
  clock: (() => number) | undefined,
  onError: ErrorHandler | undefined,
  owner: string,
): Scheduler {
  const handler = onError === undefined ? {} : { onError };
  if (option === undefined || option === 'immediate') {
    return createImmediateScheduler(clock === undefined ? handler : { clock, ...handler });
  }
  if (option === 'sync') return createSyncScheduler(handler);
  if (!isScheduler(option)) {
    throw new MetricsWiringError(
      'invalid-option',
      `${owner}: scheduler must be 'immediate', 'sync' or an object with schedule(task) and stats(), got ${describeValue(option)}.`,
    );
  }
  return option;
}

function isScheduler(option: unknown): option is Scheduler {
  try {
    const candidate = option as Partial<Scheduler> | null;
    return (
      typeof candidate === 'object' &&
      candidate !== null &&
      typeof candidate.schedule === 'function' &&
      typeof candidate.stats === 'function'
    );
  } catch {
    return false;
  }
}
