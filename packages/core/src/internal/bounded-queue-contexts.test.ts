import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.js';
import { OVERFLOW_STRATEGIES, type OverflowPolicy } from './overflow.js';

// The queue's captured contexts, its bounds and its memory, against a model: the parts the
// existing order/accounting model does not look at.

function queue(capacity: number, policy: OverflowPolicy = 'drop-oldest') {
  return new BoundedQueue({ capacity, overflow: OVERFLOW_STRATEGIES[policy], onDrop: () => {} });
}

function offer(q: BoundedQueue, id: number, context?: string): boolean {
  if (q.size >= q.room && !q.makeRoom()) return false;
  const slot = q.push({ id });
  if (q.contexts !== undefined) q.contexts[slot] = context;
  return true;
}

describe('BoundedQueue contexts', () => {
  it('keeps each context beside its item through growth, eviction and shrinking, and lets go of it once shifted', () => {
    type Op = { push: number } | { shift: number } | { keep: true } | { shrink: true };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ push: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ shift: fc.integer({ min: 1, max: 50 }) }),
      fc.constant({ keep: true as const }),
      fc.constant({ shrink: true as const }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom<OverflowPolicy>('drop-oldest', 'drop-newest'),
        fc.array(op, { maxLength: 30 }),
        (capacity, policy, ops) => {
          const q = queue(capacity, policy);
          const model: Array<{ id: number; context: string | undefined }> = [];
          let keeping = false;
          let next = 0;
          for (const o of ops) {
            if ('keep' in o) {
              q.keepContexts();
              keeping = true;
            } else if ('push' in o) {
              for (let i = 0; i < o.push; i++) {
                const id = next++;
                const context = keeping ? `ctx-${id}` : undefined;
                const full = model.length >= capacity;
                if (full && policy === 'drop-newest') {
                  expect(offer(q, id, context)).toBe(false);
                  continue;
                }
                if (full) model.shift();
                model.push({ id, context });
                expect(offer(q, id, context)).toBe(true);
              }
            } else if ('shift' in o) {
              for (let i = 0; i < o.shift && model.length > 0; i++) {
                const expected = model.shift();
                expect(q.oldestContext()).toBe(expected?.context);
                const slot = q.head;
                expect((q.shift() as { id: number }).id).toBe(expected?.id);
                expect(q.items[slot]).toBeUndefined(); // shifted: nothing kept alive
                if (q.contexts !== undefined) expect(q.contexts[slot]).toBeUndefined();
              }
            } else if (q.size === 0) {
              q.shrink();
              expect(q.items.length).toBe(16);
              if (keeping) expect(q.contexts?.length).toBe(16);
              else expect(q.contexts).toBeUndefined(); // shrinking starts no context array
              expect(q.room).toBe(Math.min(capacity, 16));
            }
            expect(q.size).toBe(model.length);
            expect(q.room).toBeLessThanOrEqual(q.items.length);
          }
          expect(q.oldestContext()).toBe(model[0]?.context);
          expect(q.takeAll().map((item) => (item as { id: number }).id)).toEqual(
            model.map((m) => m.id),
          );
        },
      ),
    );
  });

  it('has no context before keepContexts(), and keeps the array it has on a second call', () => {
    const q = queue(4);
    offer(q, 1);
    expect(q.contexts).toBeUndefined();
    expect(q.oldestContext()).toBeUndefined();
    q.keepContexts();
    const contexts = q.contexts;
    expect(contexts).toHaveLength(16);
    q.keepContexts();
    expect(q.contexts).toBe(contexts);
  });
});

describe('BoundedQueue bounds', () => {
  it('never takes a limit above its capacity, and starts with room for min(capacity, 16)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 200 }),
        (capacity, limit) => {
          const q = queue(capacity);
          expect(q.limit).toBe(capacity);
          expect(q.room).toBe(Math.min(capacity, 16));
          q.setLimit(limit);
          expect(q.limit).toBe(Math.min(limit, capacity));
          expect(q.room).toBe(Math.min(limit, capacity, q.items.length));
        },
      ),
    );
  });

  it('is oversized only once its ring grew past 4096 slots', () => {
    const q = queue(1 << 14, 'drop-newest');
    for (let id = 0; id < 4096; id++) offer(q, id);
    expect(q.items.length).toBe(4096);
    expect(q.oversized).toBe(false);
    offer(q, 4096);
    expect(q.items.length).toBe(8192);
    expect(q.oversized).toBe(true);
  });
});
