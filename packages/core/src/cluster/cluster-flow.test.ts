// How a cluster recorder paces its messages, as a user sees it on the channel and in both sides'
// stats: a full batch goes at once, a partial one (or a flush, or counts only) only when nothing
// else is being written, at most MAX_MESSAGES_IN_FLIGHT at a time, the bound covering what is
// buffered and being written; and once the channel is idle nothing stays behind: every event sent,
// the primary's books equal to the worker's, no flush answer nobody asked for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeChannel, pumpUntil, tick } from '../../../../test/support/fake-ipc-channel.js';
import { BatchDecoder } from '../events/batch-decoder.js';
import { counter } from '../metrics/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { MAX_MESSAGES_IN_FLIGHT } from './cluster-recorder.js';
import { connectOver } from './connect-to-primary.js';

type Op =
  | { kind: 'events'; count: number }
  | { kind: 'pump' }
  | { kind: 'writeOne' }
  | { kind: 'tick' }
  | { kind: 'flush' }
  | { kind: 'close' }
  | { kind: 'bigint' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('events' as const),
      count: fc.integer({ min: 1, max: 40 }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'pump' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'writeOne' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'tick' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'close' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bigint' as const }) },
);

function setup(capacity: number, batchSize: number, overflow: 'drop-newest' | 'drop-oldest') {
  const runtime = new MetricsRuntime({ namespace: 'flow', scheduler: 'sync', onError: () => {} });
  const recorder = runtime.createRecorder('service', {
    metrics: [counter({ name: 'events', on: () => true })],
  });
  runtime.start();
  const primary = runtime.clusterPrimary();
  const channel = new FakeChannel();
  primary.attach(channel.primary);
  const worker = connectOver(channel.worker, 'service', {
    maxPendingEvents: capacity,
    batchSize,
    overflow,
    onError: () => {},
  });
  // Every message as it is handed to the channel: its events, and how many were being written then.
  const decoder = new BatchDecoder();
  const messages: { events: number; writing: number; flush: boolean; retry: boolean }[] = [];
  let refusedBefore = false;
  const send = channel.worker.send?.bind(channel.worker);
  channel.worker.send = (message: object, callback?: (error: Error | null) => void) => {
    const m = message as { s: unknown; k: unknown; v: unknown; e: unknown; f?: number };
    const writing = channel.writingCount;
    let taken: boolean;
    try {
      taken = send?.(message, callback) ?? false;
    } catch (error) {
      refusedBefore = true; // a message it cannot serialise: the retry carries the rest
      throw error;
    }
    const events = decoder.decode(m, true).length;
    messages.push({ events, writing, flush: m.f !== undefined, retry: refusedBefore });
    refusedBefore = false;
    return taken;
  };
  return { runtime, recorder, primary, channel, worker, messages };
}

describe('a cluster recorder paces its messages', () => {
  it('partial batches, flushes and counts only while nothing is being written, full ones up to MAX_MESSAGES_IN_FLIGHT, the bound kept; once idle nothing left behind (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 40 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('drop-newest' as const, 'drop-oldest' as const),
        async (ops, capacity, batch, overflow) => {
          const batchSize = Math.min(batch, capacity);
          const { recorder, primary, channel, worker, messages } = setup(
            capacity,
            batchSize,
            overflow,
          );
          const flushes: Promise<void>[] = [];
          for (const o of ops) {
            if (o.kind === 'events') {
              for (let i = 0; i < o.count; i++) {
                worker.registerEvent({ type: 'x', i });
                const s = worker.stats();
                expect(s.pending + s.inFlight).toBeLessThanOrEqual(capacity);
                expect(channel.writingCount).toBeLessThanOrEqual(MAX_MESSAGES_IN_FLIGHT);
              }
            } else if (o.kind === 'pump') channel.pump();
            else if (o.kind === 'writeOne') channel.writeOne();
            else if (o.kind === 'tick') await tick();
            else if (o.kind === 'close') worker.close();
            else if (o.kind === 'bigint') worker.registerEvent({ type: 'x', n: 1n });
            else flushes.push(worker.flush());
            const s = worker.stats();
            expect(s.pending + s.inFlight).toBeLessThanOrEqual(capacity);
            expect(channel.writingCount).toBeLessThanOrEqual(MAX_MESSAGES_IN_FLIGHT);
          }
          for (const m of messages) {
            // another message being written: only a full batch goes beside it (a flush may ride
            // on it; the retry of a batch with an event the channel refused is that batch less it)
            if (m.writing > 0 && !m.retry) expect(m.events).toBe(batchSize);
            expect(m.writing).toBeLessThan(MAX_MESSAGES_IN_FLIGHT);
            expect(m.events).toBeLessThanOrEqual(batchSize);
          }
          // Idle: the channel pumped and turns passed, no flush() called after the ops.
          for (let i = 0; i < 30; i++) {
            channel.pump();
            await tick();
          }
          expect(await pumpUntil(channel, Promise.all(flushes))).toBe(true);
          const w = worker.stats();
          expect(w).toMatchObject({ pending: 0, inFlight: 0, flushesTimedOut: 0, lost: 0 });
          // events after close() are rejected, outside registered
          expect(w.registered).toBe(w.sent + w.dropped + w.unserialisable);
          const p = primary.stats();
          expect(p).toMatchObject({
            registered: w.registered,
            received: w.sent,
            dropped: w.dropped,
            unserialisable: w.unserialisable,
            inFlight: 0,
          });
          expect(recorder.stats().accepted).toBe(w.sent);
          // the primary answers the messages that carried a flush, and only those
          expect(channel.answers).toHaveLength(messages.filter((m) => m.flush).length);
          if (flushes.length === 0) expect(channel.answers).toEqual([]);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('sends a full batch at once, and a partial one on the next turn', async () => {
    const { channel, worker, messages } = setup(100, 4, 'drop-newest');
    for (let i = 0; i < 4; i++) worker.registerEvent({ type: 'x' });
    expect(worker.stats()).toMatchObject({ pending: 0, inFlight: 4, sent: 4 });
    channel.pump();
    for (let i = 0; i < 3; i++) worker.registerEvent({ type: 'x' });
    expect(worker.stats()).toMatchObject({ pending: 3, sent: 4 });
    await tick();
    expect(worker.stats()).toMatchObject({ pending: 0, inFlight: 3, sent: 7 });
    expect(messages.map((m) => m.events)).toEqual([4, 3]);
  });

  it('keeps its bound when the messages being written finish one at a time', () => {
    for (const [capacity, batchSize] of [
      [40, 4],
      [20, 4],
      [12, 2],
      [9, 1],
    ] as const) {
      const { channel, worker } = setup(capacity, batchSize, 'drop-newest');
      for (let round = 0; round < 12; round++) {
        for (let i = 0; i < 2 * capacity; i++) {
          worker.registerEvent({ type: 'x' });
          const s = worker.stats();
          expect(s.pending + s.inFlight).toBeLessThanOrEqual(capacity);
        }
        for (let i = 0; i <= round % 4; i++) channel.writeOne();
      }
      const s = worker.stats();
      expect(s.registered).toBe(s.sent + s.dropped + s.pending);
    }
  });

  it('announces drops made while everything was being written once the write completes, without a flush', async () => {
    const { primary, channel, worker, messages } = setup(4, 4, 'drop-newest');
    for (let i = 0; i < 6; i++) worker.registerEvent({ type: 'x' });
    expect(worker.stats()).toMatchObject({ registered: 6, sent: 4, dropped: 2, pending: 0 });
    await tick(); // the send scheduled by the drop finds a message being written
    channel.pump(); // written: a message with the counts only goes now
    expect(messages.map((m) => m.events)).toEqual([4, 0]);
    channel.drain();
    expect(primary.stats()).toMatchObject({ registered: 6, received: 4, dropped: 2, inFlight: 0 });
  });

  it('resolves a flush after the oldest events were evicted (drop-oldest), the evicted counted as dropped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        async (capacity, batch, before, after) => {
          const { recorder, channel, worker } = setup(
            capacity,
            Math.min(batch, capacity),
            'drop-oldest',
          );
          for (let i = 0; i < before; i++) worker.registerEvent({ type: 'x' });
          const flushed = worker.flush({ timeoutMs: 60_000 });
          for (let i = 0; i < after; i++) worker.registerEvent({ type: 'x' });
          expect(await pumpUntil(channel, flushed)).toBe(true);
          const w = worker.stats();
          expect(w.flushesTimedOut).toBe(0);
          expect(w.registered).toBe(w.sent + w.dropped + w.pending);
          expect(recorder.stats().accepted + w.dropped).toBeGreaterThanOrEqual(before);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('a batch of which no event serialises', () => {
  it('is announced to the primary at once (counts only), without waiting for a later event or flush', async () => {
    const { runtime, primary, channel, worker } = setup(100, 4, 'drop-newest');
    worker.registerEvent({ type: 'x', n: 1n });
    worker.registerEvent({ type: 'x', n: 2n });
    for (let i = 0; i < 10; i++) {
      channel.pump();
      await tick();
    }
    expect(worker.stats()).toMatchObject({ registered: 2, unserialisable: 2, pending: 0 });
    expect(primary.stats()).toMatchObject({ registered: 2, unserialisable: 2, inFlight: 0 });
    const telemetry = runtime.getRecorder('mvx_cluster');
    await telemetry?.flush();
    const unserialisable = telemetry
      ?.getMetricSnapshots()[0]
      ?.points.find((p) => p.attributes.outcome === 'unserialisable') as
      | { value: number }
      | undefined;
    expect(unserialisable?.value).toBe(2);
  });
});
