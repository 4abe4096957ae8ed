interface Waiter {
  readonly mark: number;
  readonly resolve: () => void;
}

/**
 * Pending `flush()` promises, each waiting for a progress counter to reach its mark. Marks are
 * added in increasing order, so settling stops at the first one not reached yet.
 */
export class FlushWaiters {
  private waiters: Waiter[] = [];

  /** How many promises are still waiting. */
  get size(): number {
    return this.waiters.length;
  }

  /** A promise that resolves once `settle(done)` is called with `done >= mark`. */
  wait(mark: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ mark, resolve });
    });
  }

  /** Resolves every waiter whose mark is at most `done`. */
  settle(done: number): void {
    let i = 0;
    while (i < this.waiters.length && (this.waiters[i] as Waiter).mark <= done) {
      (this.waiters[i] as Waiter).resolve();
      i++;
    }
    if (i > 0) this.waiters = this.waiters.slice(i);
  }

  /** Resolves every waiter (the work they waited for can no longer happen). */
  settleAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }
}
