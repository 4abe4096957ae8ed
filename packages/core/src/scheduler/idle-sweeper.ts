/** Work to do once after a sustained idle period, e.g. giving back a buffer grown by a burst. */
export interface IdleTask {
  idle(): void;
}

/** Default idle period after which a task's `idle()` runs (see `Scheduler.scheduleIdle`). */
export const DEFAULT_IDLE_MS = 5_000;

/**
 * Runs `task.idle()` once a task has stayed idle for `idleMs` (by `clock`), on one `unref()`'d
 * timer shared by every task, armed only while a task waits: an idle recorder costs nothing per
 * turn, and 10 000 recorders mean one timer. Re-adding a task restarts its period.
 */
export class IdleSweeper {
  private readonly since = new Map<IdleTask, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly clock: () => number,
    private readonly idleMs: number = DEFAULT_IDLE_MS,
  ) {}

  /** How many tasks wait for their idle period to end. */
  get size(): number {
    return this.since.size;
  }

  /** (Re)starts `task`'s idle period now. */
  add(task: IdleTask): void {
    this.since.delete(task); // re-inserted last: the map stays ordered by start time
    this.since.set(task, this.clock());
    this.arm();
  }

  /** Runs `idle()` of every task whose period has ended (the timer calls this). */
  sweep(): void {
    const now = this.clock();
    for (const [task, since] of this.since) {
      if (now - since < this.idleMs) break;
      this.since.delete(task);
      try {
        task.idle();
      } catch {
        // giving memory back is best effort; the task is not retried
      }
    }
    this.arm();
  }

  private arm(): void {
    if (this.timer !== undefined || this.since.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sweep();
    }, this.idleMs);
    this.timer.unref();
  }
}
