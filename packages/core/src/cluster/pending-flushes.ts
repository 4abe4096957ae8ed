// The worker's `flush()` calls waiting for the primary's answer, each with its deadline. Private.
import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';

/** Longest delay a Node timer takes; a longer flush timeout waits as long as it takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Default of the `flushTimeoutMs` option: as long as a runtime's `shutdown()` drains by default. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;

/** A checked flush timeout: `value`, or `fallback` when absent; a wiring mistake throws. */
export function flushTimeout(owner: string, key: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new MetricsWiringError(
      'invalid-option',
      `${owner}: ${key} must be a positive number of milliseconds (Infinity waits as long as it takes), got ${describeValue(value)}.`,
    );
  }
  return value;
}

/**
 * Pending flushes by id, in id order: the primary's answer `f` settles every id up to `f`; a
 * deadline settles one alone. `onEmpty` runs whenever none is left (the owner stops listening).
 */
export class PendingFlushes {
  private readonly waiting = new Map<number, () => void>();

  constructor(
    private readonly onEmpty: () => void,
    private readonly onTimeout: (timeoutMs: number) => void,
  ) {}

  /** A promise for flush `id`, resolved by `settle(id or later)` or after `timeoutMs`. */
  add(id: number, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      this.waiting.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      if (timeoutMs <= MAX_TIMER_MS) {
        // Unref'd: while a flush waits, the channel listener keeps the process alive anyway.
        timer = setTimeout(() => this.expire(id, timeoutMs), timeoutMs);
        timer.unref();
      }
    });
  }

  /** Resolves every pending flush up to `id`. */
  settle(id: number): void {
    for (const [waiting, resolve] of this.waiting) {
      if (waiting > id) break;
      this.waiting.delete(waiting);
      resolve();
    }
    if (this.waiting.size === 0) this.onEmpty();
  }

  private expire(id: number, timeoutMs: number): void {
    const resolve = this.waiting.get(id);
    if (resolve === undefined) return;
    this.waiting.delete(id);
    resolve();
    if (this.waiting.size === 0) this.onEmpty();
    this.onTimeout(timeoutMs);
  }
}
