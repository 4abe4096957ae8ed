import type { OverflowStrategy } from './overflow.js';

const INITIAL_LENGTH = 16;
const SHRINK_ABOVE = 4096;

// A ring of `length` empty slots with the elements kind it has once it holds events (V8's
// HOLEY_ELEMENTS): `new Array(length)` alone starts as an array of small integers, and the first
// event stored in a new ring (every recorder's first, and again after each grow or shrink) sent
// the warmed-up registerEvent back to the interpreter ("wrong map") to be optimized again.
function ring<T = object>(length: number): (T | undefined)[] {
  return new Array<T | undefined>(length).fill(undefined);
}

/** How a {@link BoundedQueue} is built. */
export interface BoundedQueueOptions {
  /** The most items it holds. */
  readonly capacity: number;
  /** What a full queue does with one more item. */
  readonly overflow: OverflowStrategy;
  /** Runs once per item lost to the policy (refused or evicted), after it is counted. */
  readonly onDrop: () => void;
}

/**
 * The pending events of a recorder (or of a worker-side recorder) in arrival order: a power-of-two
 * ring that starts small and doubles up to its limit, with a parallel array for captured contexts
 * once a capturer exists. A full queue asks its overflow strategy; every loss is counted as
 * `refused` (the new item never entered) or `evicted` (a queued item left unprocessed), which is
 * all the owner needs for exact accounting: entered = pushed − refused, left = shifted + evicted.
 *
 * Fields are public so the owner's hot path reads them without a call:
 * `if (q.size >= q.room && !q.makeRoom()) return; q.push(item);`
 */
export class BoundedQueue {
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  items: (object | undefined)[] = ring(INITIAL_LENGTH);
  contexts: unknown[] | undefined;
  /** The bound in force: `capacity`, or less while a worker's events are in flight (see `setLimit`). */
  limit: number;
  /** min(limit, items.length): the one bound the hot path checks before `makeRoom()`. */
  room: number;
  head = 0;
  size = 0;
  /** Items the policy refused. */
  refused = 0;
  /** Queued items the policy evicted. */
  evicted = 0;
  private mask = INITIAL_LENGTH - 1;
  private readonly onDrop: () => void;

  constructor(options: BoundedQueueOptions) {
    this.capacity = options.capacity;
    this.overflow = options.overflow;
    this.onDrop = options.onDrop;
    this.limit = options.capacity;
    this.room = Math.min(this.limit, INITIAL_LENGTH);
  }

  /** Appends `item` (the caller made sure `size < room`) and returns its slot. */
  push(item: object): number {
    const slot = (this.head + this.size) & this.mask;
    this.items[slot] = item;
    this.size++;
    return slot;
  }

  /**
   * The slow path of a push, once `size >= room`: grows the ring while under the limit, else asks
   * the overflow strategy. `true` = the caller may push now; `false` = the new item is refused.
   */
  makeRoom(): boolean {
    if (this.size < this.limit) {
      this.grow();
      return true;
    }
    if (this.overflow.admit(this) && this.size < this.room) return true;
    this.refused++;
    this.onDrop();
    return false;
  }

  /** Removes and returns the oldest item (the caller made sure `size > 0`), clearing its context. */
  shift(): object {
    const slot = this.head;
    const item = this.items[slot] as object;
    this.items[slot] = undefined;
    if (this.contexts !== undefined) this.contexts[slot] = undefined;
    this.head = (slot + 1) & this.mask;
    this.size--;
    return item;
  }

  /** Drops the oldest item unprocessed (for overflow strategies); counted in `evicted`. */
  evictOldest(): void {
    this.shift();
    this.evicted++;
    this.onDrop();
  }

  /** Removes every queued item, oldest first, into a new array. */
  takeAll(): object[] {
    // Filled by push, not preallocated: a packed array is what postMessage's structured clone
    // serialises densely (a holey one goes element by element, as a sparse array).
    const out: object[] = [];
    while (this.size > 0) out.push(this.shift());
    return out;
  }

  /** The context captured with the oldest item (before `shift()`), if contexts are kept. */
  oldestContext(): unknown {
    return this.contexts === undefined ? undefined : this.contexts[this.head];
  }

  /** Starts keeping a context beside every item from now on. */
  keepContexts(): void {
    this.contexts ??= ring<unknown>(this.items.length);
  }

  /** Changes the bound in force (at most `capacity`); items already queued stay. */
  setLimit(limit: number): void {
    this.limit = Math.min(limit, this.capacity);
    this.room = Math.min(this.limit, this.items.length);
  }

  /** Whether the ring grew past the size worth giving back once it is empty. */
  get oversized(): boolean {
    return this.items.length > SHRINK_ABOVE;
  }

  /** Back to the initial length (the caller made sure the queue is empty). */
  shrink(): void {
    this.items = ring(INITIAL_LENGTH);
    if (this.contexts !== undefined) this.contexts = ring<unknown>(INITIAL_LENGTH);
    this.mask = INITIAL_LENGTH - 1;
    this.room = Math.min(this.limit, INITIAL_LENGTH);
    this.head = 0;
  }

  // Doubles the ring (the caller made sure `size < limit`).
  private grow(): void {
    const length = this.items.length * 2;
    const items = ring(length);
    const contexts = this.contexts === undefined ? undefined : ring<unknown>(length);
    for (let i = 0; i < this.size; i++) {
      const from = (this.head + i) & this.mask;
      items[i] = this.items[from];
      if (contexts !== undefined) contexts[i] = (this.contexts as unknown[])[from];
    }
    this.items = items;
    this.contexts = contexts;
    this.mask = length - 1;
    this.room = Math.min(this.limit, length);
    this.head = 0;
  }
}
