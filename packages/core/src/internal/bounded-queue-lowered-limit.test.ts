import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.js';
import { OVERFLOW_STRATEGIES, type OverflowPolicy } from './overflow.js';

// A queue whose limit is lowered below what it holds (setLimit: "items already queued stay").
// drop-oldest still lets the new item in, evicting the oldest until it fits under the limit;
// drop-newest refuses it. Either way every loss is counted once.

function queue(capacity: number, policy: OverflowPolicy) {
  let drops = 0;
  const q = new BoundedQueue({
    capacity,
    overflow: OVERFLOW_STRATEGIES[policy],
    onDrop: () => drops++,
  });
  return { q, drops: () => drops };
}

/** The hot path's protocol: `if (size >= room && !makeRoom()) refused; else push`. */
function offer(q: BoundedQueue, item: object): boolean {
  if (q.size >= q.room && !q.makeRoom()) return false;
  q.push(item);
  return true;
}

const ids = (q: BoundedQueue) => q.takeAll().map((item) => (item as { id: number }).id);

describe('drop-oldest after the limit is lowered below the current size', () => {
  it('admits the new item and evicts the oldest down to the limit', () => {
    const { q, drops } = queue(16, 'drop-oldest');
    for (let id = 0; id < 10; id++) offer(q, { id });
    q.setLimit(4);
    expect(offer(q, { id: 10 })).toBe(true);
    expect({ size: q.size, evicted: q.evicted, refused: q.refused, drops: drops() }).toEqual({
      size: 4,
      evicted: 7,
      refused: 0,
      drops: 7,
    });
    expect(offer(q, { id: 11 })).toBe(true); // now one for one
    expect(ids(q)).toEqual([8, 9, 10, 11]);
    expect(q.evicted).toBe(8);
  });

  it('refuses the new item and evicts nothing when the limit is lowered to 0', () => {
    const { q, drops } = queue(16, 'drop-oldest');
    for (let id = 0; id < 3; id++) offer(q, { id });
    q.setLimit(0);
    expect(offer(q, { id: 3 })).toBe(false);
    expect({ size: q.size, evicted: q.evicted, refused: q.refused, drops: drops() }).toEqual({
      size: 3,
      evicted: 0,
      refused: 1,
      drops: 1,
    });
    expect(ids(q)).toEqual([0, 1, 2]);
  });

  it('drop-newest refuses the new item and keeps what is queued', () => {
    const { q } = queue(16, 'drop-newest');
    for (let id = 0; id < 10; id++) offer(q, { id });
    q.setLimit(4);
    expect(offer(q, { id: 10 })).toBe(false);
    expect(ids(q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(q.refused).toBe(1);
  });

  it('matches a model for any capacity, policy and interleaving of pushes, shifts and limits', () => {
    type Op = { push: number } | { shift: true } | { limit: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ push: fc.integer({ min: 1, max: 40 }) }),
      fc.constant({ shift: true as const }),
      fc.record({
        limit: fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 70 })),
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom<OverflowPolicy>('drop-newest', 'drop-oldest'),
        fc.array(op, { maxLength: 60 }),
        (capacity, policy, ops) => {
          const { q, drops } = queue(capacity, policy);
          const model: number[] = [];
          let next = 0;
          let limit = capacity;
          let offered = 0;
          let shifted = 0;
          for (const o of ops) {
            if ('push' in o) {
              for (let i = 0; i < o.push; i++) {
                const id = next++;
                offered++;
                let admitted = model.length < limit;
                if (!admitted && policy === 'drop-oldest' && model.length > 0 && limit > 0) {
                  while (model.length >= limit) model.shift();
                  admitted = true;
                }
                if (admitted) model.push(id);
                expect(offer(q, { id })).toBe(admitted);
              }
            } else if ('shift' in o) {
              if (model.length === 0) continue;
              expect((q.shift() as { id: number }).id).toBe(model.shift());
              shifted++;
            } else {
              // any limit, below what is queued too
              limit = Math.min(capacity, o.limit);
              q.setLimit(o.limit);
            }
            expect(q.size).toBe(model.length);
            expect(q.refused + q.evicted).toBe(drops());
            expect(offered - q.refused - (shifted + q.evicted)).toBe(q.size);
          }
          expect(ids(q)).toEqual(model);
        },
      ),
    );
  });
});
