import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.js';
import { OVERFLOW_STRATEGIES, type OverflowPolicy } from './overflow.js';

type Op = { push: number } | { shift: true } | { limit: number };

function queue(capacity: number, policy: OverflowPolicy) {
  const drops: number[] = [];
  const q = new BoundedQueue({
    capacity,
    overflow: OVERFLOW_STRATEGIES[policy],
    onDrop: () => drops.push(q.refused + q.evicted),
  });
  return { q, drops };
}

/** The hot path's protocol: `if (size >= room && !makeRoom()) refused; else push`. */
function offer(q: BoundedQueue, item: object): boolean {
  if (q.size >= q.room && !q.makeRoom()) return false;
  q.push(item);
  return true;
}

describe('BoundedQueue', () => {
  it('drops the newest item when full under drop-newest, and counts it as refused', () => {
    const { q, drops } = queue(3, 'drop-newest');
    const items = [1, 2, 3, 4, 5].map((id) => ({ id }));
    expect(items.map((item) => offer(q, item))).toEqual([true, true, true, false, false]);
    expect(q.takeAll()).toEqual(items.slice(0, 3));
    expect({ refused: q.refused, evicted: q.evicted, drops }).toEqual({
      refused: 2,
      evicted: 0,
      drops: [1, 2],
    });
  });

  it('evicts the oldest item when full under drop-oldest, and counts it as evicted', () => {
    const { q } = queue(3, 'drop-oldest');
    const items = [1, 2, 3, 4, 5].map((id) => ({ id }));
    for (const item of items) expect(offer(q, item)).toBe(true);
    expect(q.takeAll()).toEqual(items.slice(2));
    expect({ refused: q.refused, evicted: q.evicted }).toEqual({ refused: 0, evicted: 2 });
  });

  it('refuses under drop-oldest when its limit is used up with nothing queued (a worker with events in flight)', () => {
    const { q } = queue(4, 'drop-oldest');
    q.setLimit(0);
    expect(offer(q, { id: 1 })).toBe(false);
    expect({ refused: q.refused, evicted: q.evicted, size: q.size }).toEqual({
      refused: 1,
      evicted: 0,
      size: 0,
    });
  });

  it('keeps order and exact accounting against a model, for any policy, limit and interleaving', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ push: fc.integer({ min: 1, max: 40 }) }),
      fc.constant({ shift: true as const }),
      fc.record({ limit: fc.integer({ min: 0, max: 70 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom<OverflowPolicy>('drop-newest', 'drop-oldest'),
        fc.array(op, { maxLength: 60 }),
        (capacity, policy, ops) => {
          const { q } = queue(capacity, policy);
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
                const inModel =
                  model.length < limit || (policy === 'drop-oldest' && model.length > 0);
                if (model.length >= limit && inModel) model.shift();
                if (inModel) model.push(id);
                expect(offer(q, { id })).toBe(inModel);
              }
            } else if ('shift' in o) {
              if (model.length === 0) continue;
              expect((q.shift() as { id: number }).id).toBe(model.shift());
              shifted++;
            } else {
              // A limit below what is queued never happens (a worker lowers it by what it sends).
              limit = Math.min(capacity, Math.max(o.limit, model.length));
              q.setLimit(limit);
            }
            expect(q.size).toBe(model.length);
            expect(q.size).toBeLessThanOrEqual(q.limit);
            // Entered = offered - refused; left = shifted + evicted; what is queued is the difference.
            expect(offered - q.refused - (shifted + q.evicted)).toBe(q.size);
          }
          expect(q.takeAll().map((item) => (item as { id: number }).id)).toEqual(model);
        },
      ),
    );
  });

  it('keeps captured contexts beside their items through growth and eviction', () => {
    const { q } = queue(40, 'drop-oldest');
    q.keepContexts();
    for (let id = 0; id < 45; id++) {
      offer(q, { id });
      (q.contexts as unknown[])[(q.head + q.size - 1) & (q.items.length - 1)] = `ctx-${id}`;
    }
    const seen: [number, unknown][] = [];
    while (q.size > 0) {
      const context = q.oldestContext();
      seen.push([(q.shift() as { id: number }).id, context]);
    }
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => [i + 5, `ctx-${i + 5}`]));
  });

  it('shrinks back to its initial length once empty, and grows again on demand', () => {
    const { q } = queue(1 << 16, 'drop-newest');
    for (let id = 0; id < 10_000; id++) offer(q, { id });
    expect(q.oversized).toBe(true);
    q.takeAll();
    q.shrink();
    expect(q.oversized).toBe(false);
    expect(q.items.length).toBe(16);
    for (let id = 0; id < 100; id++) expect(offer(q, { id })).toBe(true);
    expect(q.size).toBe(100);
  });
});
