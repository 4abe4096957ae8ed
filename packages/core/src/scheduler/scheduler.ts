import { performance } from 'node:perf_hooks';
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
}

/**
 * The default scheduler: drains ready recorders in `setImmediate` turns, each turn bounded by a
 * time budget, so a burst is spread over many turns instead of blocking timers and I/O. Only
 * recorders with pending events are queued; idle ones cost nothing.
 */
export function createImmediateScheduler(options: ImmediateSchedulerOptions = {}): Scheduler {
  const budget = options.budgetMs ?? 4;
  const clock = options.clock ?? (() => performance.now());
  let ready: SchedulerTask[] = [];
  let armed = false;
  const counters: SchedulerStats = { turns: 0, visits: 0 };
  const sweeper = new IdleSweeper(clock);

  const run = (): void => {
    armed = false;
    counters.turns++;
    const batch = ready;
    ready = [];
    const deadline = clock() + budget;
    let i = 0;
    for (; i < batch.length; i++) {
      const task = batch[i] as SchedulerTask;
      counters.visits++;
      if (task.drain(deadline)) ready.push(task);
      if (clock() >= deadline) {
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
export function createSyncScheduler(): Scheduler {
  const counters: SchedulerStats = { turns: 0, visits: 0 };
  const sweeper = new IdleSweeper(() => performance.now());
  return {
    scheduleIdle: (task) => sweeper.add(task),
    schedule(task) {
      counters.turns++;
      do counters.visits++;
      while (task.drain(Number.POSITIVE_INFINITY));
    },
    stats: () => ({ ...counters }),
  };
}

/** How to choose a scheduler in options: a name or your own. */
export type SchedulerOption = 'immediate' | 'sync' | Scheduler;

/** The scheduler an options object names (default: a new `setImmediate` scheduler). */
export function resolveScheduler(
  option: SchedulerOption | undefined,
  clock?: () => number,
): Scheduler {
  if (option === undefined || option === 'immediate') {
    return createImmediateScheduler(clock === undefined ? {} : { clock });
  }
  if (option === 'sync') return createSyncScheduler();
  return option;
}
