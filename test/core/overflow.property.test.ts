// Property: with a tiny buffer, exactly the documented events are dropped and counted.
// drop-newest refuses events that arrive while the buffer is full; drop-oldest evicts the
// oldest pending event to make room. We check WHICH events reached the metrics, in order.
import { type Metric, MetricsRecorder, type OverflowPolicy } from '@mvx-metrics/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

type Action = { op: 'register'; count: number } | { op: 'tick' } | { op: 'flush' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.integer({ min: 1, max: 12 }).map((count): Action => ({ op: 'register', count })),
  },
  { weight: 1, arbitrary: fc.constant<Action>({ op: 'tick' }) },
  { weight: 1, arbitrary: fc.constant<Action>({ op: 'flush' }) },
);

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The documented behaviour, as a plain queue. */
class BufferModel {
  readonly queue: number[] = [];
  readonly dropped: number[] = [];
  readonly processed: number[] = [];
  constructor(
    private readonly capacity: number,
    private readonly policy: OverflowPolicy,
  ) {}
  register(id: number): void {
    if (this.queue.length < this.capacity) {
      this.queue.push(id);
    } else if (this.policy === 'drop-newest') {
      this.dropped.push(id);
    } else {
      this.dropped.push(this.queue.shift() as number);
      this.queue.push(id);
    }
  }
  drainAll(): void {
    this.processed.push(...this.queue.splice(0));
  }
  /** The scheduler processed `count` more events: they must be the oldest pending ones. */
  drain(count: number): void {
    this.processed.push(...this.queue.splice(0, count));
  }
}

describe('bounded buffer (property)', () => {
  it('drops exactly the documented events and counts every drop, for both policies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom<OverflowPolicy>('drop-newest', 'drop-oldest'),
        fc.array(actionArb, { maxLength: 25 }),
        async (capacity, policy, actions) => {
          const seen: number[] = [];
          const metric: Metric = {
            name: 'seen',
            handleEvent: (event) => {
              seen.push((event as { id: number }).id);
              return true;
            },
            snapshot: () => ({ name: 'seen', kind: 'custom', points: [] }),
          };
          const reports: string[] = [];
          const recorder = new MetricsRecorder('tiny', {
            metrics: [metric],
            maxPendingEvents: capacity,
            overflow: policy,
            onError: (e) => reports.push(e.code),
          });
          recorder.start();
          const model = new BufferModel(capacity, policy);
          let next = 0;
          const check = () => {
            const stats = recorder.stats();
            expect(seen).toEqual(model.processed);
            expect(stats).toMatchObject({
              registered: next,
              processed: model.processed.length,
              dropped: model.dropped.length,
              pending: model.queue.length,
              capacity,
            });
            expect(stats.registered).toBe(stats.processed + stats.dropped + stats.pending);
            expect(reports).toEqual(model.dropped.length > 0 ? ['buffer-full'] : []);
          };
          for (const action of actions) {
            if (action.op === 'register') {
              for (let i = 0; i < action.count; i++) {
                recorder.registerEvent({ id: next });
                model.register(next);
                next++;
              }
            } else {
              // A buffer of at most 8 events drains within one scheduler turn.
              if (action.op === 'tick') await turn();
              else await recorder.flush();
              model.drainAll();
            }
            check();
          }
          await recorder.stop();
          model.drainAll();
          check();
          // Every event is accounted for exactly once: processed or dropped.
          expect([...seen, ...model.dropped].sort((a, b) => a - b)).toEqual(
            Array.from({ length: next }, (_, i) => i),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stays exact when turns drain the buffer only partly (time budget) between bursts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1500 }),
        fc.constantFrom<OverflowPolicy>('drop-newest', 'drop-oldest'),
        fc.array(
          fc.oneof(
            fc.integer({ min: 1, max: 1500 }).map((count): Action => ({ op: 'register', count })),
            fc.constant<Action>({ op: 'tick' }),
            fc.constant<Action>({ op: 'flush' }),
          ),
          { maxLength: 20 },
        ),
        async (capacity, policy, actions) => {
          const seen: number[] = [];
          const metric: Metric = {
            name: 'seen',
            handleEvent: (event) => {
              seen.push((event as { id: number }).id);
              return true;
            },
            snapshot: () => ({ name: 'seen', kind: 'custom', points: [] }),
          };
          // Every clock read moves time by 1 ms: a 4 ms budget stops a turn after a few hundred events.
          let now = 0;
          const recorder = new MetricsRecorder('partial', {
            metrics: [metric],
            maxPendingEvents: capacity,
            overflow: policy,
            clock: () => (now += 1),
            onError: () => {},
          });
          recorder.start();
          const model = new BufferModel(capacity, policy);
          let next = 0;
          for (const action of actions) {
            if (action.op === 'register') {
              for (let i = 0; i < action.count; i++) {
                recorder.registerEvent({ id: next });
                model.register(next);
                next++;
              }
            } else {
              if (action.op === 'tick') await turn();
              else await recorder.flush();
              model.drain(recorder.stats().processed - model.processed.length);
              if (action.op === 'flush') expect(model.queue).toEqual([]);
            }
            expect(seen).toEqual(model.processed);
            expect(recorder.stats()).toMatchObject({
              registered: next,
              dropped: model.dropped.length,
              pending: model.queue.length,
            });
          }
          await recorder.flush();
          model.drainAll();
          expect(seen).toEqual(model.processed);
        },
      ),
      { numRuns: 100 },
    );
  });
});
