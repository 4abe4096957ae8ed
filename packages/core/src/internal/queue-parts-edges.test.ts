import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.js';
import { type FullQueue, OVERFLOW_STRATEGIES, type OverflowStrategy } from './overflow.js';

// The contract between a bounded queue and its overflow strategies, from both sides: a strategy
// admits only when it made room (and never evicts from nothing), and the queue refuses an item a
// strategy admitted without room instead of writing over a queued one.

/** A queue as a strategy sees it, recording what the strategy does to it. */
function fullQueue(size: number, limit: number) {
  const queue = {
    size,
    limit,
    evictions: 0,
    evictOldest() {
      if (queue.size === 0) throw new Error('evicted from an empty queue');
      queue.size--;
      queue.evictions++;
    },
  };
  return queue satisfies FullQueue;
}

describe('overflow strategies on their own', () => {
  it('drop-newest refuses and evicts nothing, whatever the queue holds', () => {
    for (const [size, limit] of [
      [4, 4],
      [0, 0],
      [9, 3],
    ] as const) {
      const queue = fullQueue(size, limit);
      expect(OVERFLOW_STRATEGIES['drop-newest'].admit(queue)).toBe(false);
      expect(queue.evictions).toBe(0);
    }
    expect(OVERFLOW_STRATEGIES['drop-newest'].loses).toBe('newest');
  });

  it('drop-oldest refuses without evicting when nothing is queued or the limit is 0', () => {
    for (const [size, limit] of [
      [0, 5],
      [0, 0],
      [3, 0],
      [3, -1],
    ] as const) {
      const queue = fullQueue(size, limit);
      expect(OVERFLOW_STRATEGIES['drop-oldest'].admit(queue)).toBe(false);
      expect(queue.evictions).toBe(0);
    }
  });

  it('drop-oldest evicts down to one below the limit, then admits', () => {
    const full = fullQueue(4, 4);
    expect(OVERFLOW_STRATEGIES['drop-oldest'].admit(full)).toBe(true);
    expect(full).toMatchObject({ size: 3, evictions: 1 });
    const lowered = fullQueue(10, 3);
    expect(OVERFLOW_STRATEGIES['drop-oldest'].admit(lowered)).toBe(true);
    expect(lowered).toMatchObject({ size: 2, evictions: 8 });
  });
});

describe('BoundedQueue with a strategy that breaks the contract', () => {
  it('refuses an item a strategy admitted without making room, and counts it refused', () => {
    let drops = 0;
    const careless: OverflowStrategy = { loses: 'nothing', admit: () => true };
    const queue = new BoundedQueue({ capacity: 2, overflow: careless, onDrop: () => drops++ });
    const [a, b] = [{ n: 1 }, { n: 2 }];
    for (const item of [a, b]) {
      if (queue.size < queue.room || queue.makeRoom()) queue.push(item);
    }
    expect(queue.makeRoom()).toBe(false);
    expect(queue).toMatchObject({ size: 2, refused: 1, evicted: 0 });
    expect(drops).toBe(1);
    expect(queue.takeAll()).toEqual([a, b]);
  });
});

describe('BoundedQueue growth', () => {
  it('keeps no reference beyond its items once grown: a drained ring holds nothing', () => {
    const queue = new BoundedQueue({
      capacity: 100,
      overflow: OVERFLOW_STRATEGIES['drop-newest'],
      onDrop: () => {},
    });
    queue.keepContexts();
    const items = Array.from({ length: 40 }, (_, n) => ({ n }));
    // start the ring off slot 0, so that the oldest item sits at the head when it grows
    queue.push({ first: true });
    queue.shift();
    for (const item of items) {
      if (queue.size >= queue.room) expect(queue.makeRoom()).toBe(true);
      const slot = queue.push(item);
      (queue.contexts as unknown[])[slot] = { of: item.n };
    }
    expect(queue.items.length).toBe(64);
    // exactly the queued items are held, each once
    expect(queue.items.filter((item) => item !== undefined)).toHaveLength(40);
    expect((queue.contexts as unknown[]).filter((c) => c !== undefined)).toHaveLength(40);
    expect(queue.takeAll()).toEqual(items);
    expect(queue.items.every((item) => item === undefined)).toBe(true);
    expect((queue.contexts as unknown[]).every((context) => context === undefined)).toBe(true);
  });
});
