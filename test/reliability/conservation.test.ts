import {
  counter,
  type Metric,
  type MetricsRecorder,
  MetricsRuntime,
  type OverflowPolicy,
  type Scheduler,
  type SchedulerTask,
} from '@mvx-metrics/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/**
 * A scheduler the property drives turn by turn, with a fake clock, so fast-check explores
 * interleavings of registration, partial drains, flushes, stops and removals deterministically.
 */
function manualScheduler(clock: () => number) {
  let ready: SchedulerTask[] = [];
  const scheduler: Scheduler & { turn(budget: number): void; idle(): boolean } = {
    schedule(task) {
      ready.push(task);
    },
    stats: () => ({ turns: 0, visits: 0 }),
    turn(budget) {
      const batch = ready;
      ready = [];
      for (const task of batch) if (task.drain(clock() + budget)) ready.push(task);
    },
    idle: () => ready.length === 0,
  };
  return scheduler;
}

/** Per-recorder model of the FIFO: which ids are pending, delivered, dropped or rejected. */
interface Model {
  recorder: MetricsRecorder;
  overflow: OverflowPolicy;
  queue: number[];
  head: number;
  delivered: Map<number, number>;
  dropped: Set<number>;
  rejected: number;
  throws: number;
  outOfOrder: number;
  lateFlushes: number;
  flushes: Promise<void>[];
}

type Command =
  | { kind: 'register'; target: number; count: number }
  | { kind: 'invalid'; target: number }
  | { kind: 'turn'; budget: number }
  | { kind: 'flush'; target: number }
  | { kind: 'stop'; target: number }
  | { kind: 'remove'; target: number }
  | { kind: 'create'; overflow: OverflowPolicy; capacity: number; throwEvery: number }
  | { kind: 'start' }
  | { kind: 'processPending' };

const target = fc.nat({ max: 7 });
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('register' as const),
      target,
      count: fc.integer({ min: 1, max: 300 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('invalid' as const), target }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('turn' as const),
      budget: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('flush' as const), target }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stop' as const), target }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), target }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      overflow: fc.constantFrom<OverflowPolicy>('drop-newest', 'drop-oldest'),
      capacity: fc.integer({ min: 1, max: 400 }),
      throwEvery: fc.integer({ min: 0, max: 5 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'start' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'processPending' as const }) },
);

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

async function runScenario(commands: Command[]): Promise<Model[]> {
  let now = 0;
  const clock = () => ++now;
  const scheduler = manualScheduler(clock);
  const runtime = new MetricsRuntime({ namespace: 'rel', scheduler, clock, onError: () => {} });
  const models: Model[] = [];
  let nextId = 0;
  let created = 0;

  const create = (overflow: OverflowPolicy, capacity: number, throwEvery: number): void => {
    const name = `r${created++}`;
    let model: Model | undefined;
    const witness: Metric = {
      name: 'witness',
      handleEvent(event) {
        const m = model as Model;
        const id = (event as { id: number }).id;
        m.delivered.set(id, (m.delivered.get(id) ?? 0) + 1);
        if (m.queue[m.head] === id) m.head++;
        else m.outOfOrder++;
        return true;
      },
      snapshot: () => ({ name: 'witness', kind: 'counter', points: [] }),
    };
    const thrower: Metric = {
      name: 'thrower',
      handleEvent(event) {
        const id = (event as { id: number }).id;
        if (throwEvery > 0 && id % throwEvery === 0) {
          (model as Model).throws++;
          throw new Error(`thrower on ${id}`);
        }
        return id % 2 === 0;
      },
      snapshot: () => ({ name: 'thrower', kind: 'counter', points: [] }),
    };
    const recorder = runtime.createRecorder(name, {
      metrics: () => [witness, thrower, counter({ name: 'all', on: 'e' })],
      maxPendingEvents: capacity,
      overflow,
    });
    recorder.onChange((change) => {
      const id = (change.event as { id: number }).id;
      if (change.metric.name === 'all' && id % 7 === 0) {
        (model as Model).throws++;
        throw new Error('listener');
      }
    });
    model = {
      recorder,
      overflow,
      queue: [],
      head: 0,
      delivered: new Map(),
      dropped: new Set(),
      rejected: 0,
      throws: 0,
      outOfOrder: 0,
      lateFlushes: 0,
      flushes: [],
    };
    models.push(model);
  };

  const register = (m: Model): void => {
    const id = nextId++;
    const before = m.recorder.stats();
    const accepting = m.recorder.state === 'created' || m.recorder.state === 'running';
    m.recorder.registerEvent({ type: 'e', id });
    const after = m.recorder.stats();
    if (after.rejected !== before.rejected) {
      expect(accepting).toBe(false);
      m.rejected++;
      return;
    }
    expect(accepting).toBe(true);
    expect(after.registered).toBe(before.registered + 1);
    if (after.dropped === before.dropped) {
      m.queue.push(id);
    } else if (m.overflow === 'drop-newest') {
      m.dropped.add(id);
    } else {
      m.dropped.add(m.queue[m.head++] as number);
      m.queue.push(id);
    }
  };

  create('drop-newest', 100, 3);
  for (const cmd of commands) {
    const m = 'target' in cmd ? models[cmd.target % models.length] : undefined;
    switch (cmd.kind) {
      case 'register':
        for (let i = 0; i < cmd.count; i++) register(m as Model);
        break;
      case 'invalid':
        (m as Model).recorder.registerEvent(null as never);
        (m as Model).rejected++;
        break;
      case 'turn':
        scheduler.turn(cmd.budget);
        break;
      case 'flush': {
        const model = m as Model;
        const lastBefore = model.queue.length > 0 ? (model.queue.at(-1) as number) : -1;
        model.flushes.push(
          model.recorder.flush().then(() => {
            // every id that entered the buffer before flush() is out of it now
            if (
              model.head < model.queue.length &&
              (model.queue[model.head] as number) <= lastBefore
            ) {
              model.lateFlushes++;
            }
          }),
        );
        break;
      }
      case 'stop':
        (m as Model).flushes.push(runtime.stopRecorder((m as Model).recorder.name));
        break;
      case 'remove':
        (m as Model).flushes.push(
          runtime.removeRecorder((m as Model).recorder.name).then(() => {}),
        );
        break;
      case 'create':
        if (runtime.isRunning || models.length < 8)
          create(cmd.overflow, cmd.capacity, cmd.throwEvery);
        break;
      case 'start':
        runtime.start();
        break;
      case 'processPending':
        runtime.processPending();
        break;
    }
    await settle();
  }
  const done = runtime.shutdown();
  let finished = false;
  void done.then(() => {
    finished = true;
  });
  for (let i = 0; i < 100_000 && !finished; i++) {
    scheduler.turn(4);
    await settle();
  }
  expect(finished).toBe(true);
  await Promise.all(models.flatMap((m) => m.flushes));
  return models;
}

describe('conservation across random faults, stops, removals and flushes', () => {
  it('processes every event at most once, in order, and loses none uncounted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 60 }), async (commands) => {
        const models = await runScenario(commands);
        for (const m of models) {
          const stats = m.recorder.stats();
          expect(stats.pending).toBe(0);
          expect(stats.registered).toBe(stats.processed + stats.dropped + stats.pending);
          // the model's FIFO is fully consumed: each id delivered exactly once or dropped
          expect(m.outOfOrder).toBe(0);
          expect(m.head).toBe(m.queue.length);
          expect([...m.delivered.values()].every((n) => n === 1)).toBe(true);
          expect(m.delivered.size).toBe(stats.processed);
          expect(m.dropped.size).toBe(stats.dropped);
          for (const id of m.dropped) expect(m.delivered.has(id)).toBe(false);
          expect(m.delivered.size + m.dropped.size).toBe(stats.registered);
          expect(stats.rejected).toBe(m.rejected);
          expect(stats.failed).toBe(m.throws);
          expect(m.lateFlushes).toBe(0);
          expect(m.recorder.state).toBe('stopped');
        }
      }),
      { numRuns: 250 },
    );
  });
});
