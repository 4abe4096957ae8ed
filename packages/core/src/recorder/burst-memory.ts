import type { BoundedQueue } from '../internal/bounded-queue.js';
import type { IdleTask, Scheduler } from '../scheduler/scheduler.js';

/**
 * What a recorder does with the ring a burst grew, once the burst is processed. Regrowing it for
 * every burst costs more than the events, so it is kept while bursts recur and given back after a
 * sustained idle period (the scheduler's idle timer). With a scheduler that has no idle timer, it
 * is kept for one more visit and given back when that visit finds nothing.
 */
export class BurstMemory {
  private readonly idleTask: IdleTask;

  /** `busy`: whether the recorder is processing right now (then nothing is given back). */
  constructor(
    private readonly queue: BoundedQueue,
    private readonly scheduler: Scheduler,
    busy: () => boolean,
  ) {
    // Busy again when the period ends: the end of that burst schedules the idle task anew.
    this.idleTask = {
      idle: () => {
        if (queue.size === 0 && !busy()) queue.shrink();
      },
    };
  }

  /**
   * Called when a visit leaves the queue empty and oversized, after `count` events; returns
   * whether the scheduler should visit again.
   */
  burstEnded(count: number): boolean {
    if (this.scheduler.scheduleIdle !== undefined) {
      this.scheduler.scheduleIdle(this.idleTask);
      return false;
    }
    if (count > 0) return true;
    this.queue.shrink();
    return false;
  }
}
