// What a full bounded queue does with one more item. One strategy per policy: adding a policy is
// one more entry in OVERFLOW_STRATEGIES (its name becomes a valid `overflow` option, its strategy
// is what the queue calls); the queue's counters keep the flush accounting exact for any policy.

/** What a strategy may do to a full queue. */
export interface FullQueue {
  /** Items queued now. */
  readonly size: number;
  /** The bound in force (lowered below `size`, the queue holds more than it now admits). */
  readonly limit: number;
  /** Drops the oldest queued item (there must be one); counted as evicted. */
  evictOldest(): void;
}

/** A policy for a full queue. */
export interface OverflowStrategy {
  /** Which events the policy loses, as the 'buffer-full' report names them (e.g. `newest`). */
  readonly loses: string;
  /**
   * Called when the queue is at its limit and one more item arrives. Either evicts queued items
   * with `queue.evictOldest()` and returns `true` (the new item
   * goes in; there must be room for it then), or returns `false` (the new item is refused).
   */
  admit(queue: FullQueue): boolean;
}

const dropNewest: OverflowStrategy = {
  loses: 'newest',
  admit: () => false,
};

const dropOldest: OverflowStrategy = {
  loses: 'oldest',
  // With nothing queued (a worker's limit can be used up by events in flight) there is nothing
  // older to evict, and a limit of 0 admits nothing: the new event is refused. A limit lowered
  // below what is queued is reached by evicting the oldest, so the new event still gets in.
  admit(queue) {
    if (queue.size === 0 || queue.limit <= 0) return false;
    do queue.evictOldest();
    while (queue.size >= queue.limit);
    return true;
  },
};

/** Every overflow policy by its option name. */
export const OVERFLOW_STRATEGIES = {
  'drop-newest': dropNewest,
  'drop-oldest': dropOldest,
} as const satisfies Readonly<Record<string, OverflowStrategy>>;

/** What happens to an event registered while the buffer is full. */
export type OverflowPolicy = keyof typeof OVERFLOW_STRATEGIES;

/** The option names, for error messages: `'drop-newest' or 'drop-oldest'`. */
export function overflowPolicyNames(): string {
  const names = Object.keys(OVERFLOW_STRATEGIES).map((name) => `'${name}'`);
  return names.length === 1
    ? (names[0] as string)
    : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** Whether `value` names an overflow policy. */
export function isOverflowPolicy(value: unknown): value is OverflowPolicy {
  return typeof value === 'string' && Object.hasOwn(OVERFLOW_STRATEGIES, value);
}
