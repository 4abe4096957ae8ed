import { describe, expect, it } from 'vitest';
import { IdleSweeper } from '../scheduler/idle-sweeper.js';
import { ClusterRecorder } from './cluster-recorder.js';
import type { IpcChannel } from './protocol.js';

// A worker's buffer grows while a burst is registered faster than one message at a time leaves;
// it is kept while bursts recur (regrowing it every burst cost the worker a new array and a copy
// per doubling) and given back once it stayed empty for the idle period, as a recorder's is.

function setup() {
  let now = 0;
  const rings = new IdleSweeper(() => now, 5_000);
  const sent: number[] = [];
  const channel: IpcChannel = {
    connected: true,
    send(message, callback) {
      sent.push((message as { v: unknown[] }).v.length);
      queueMicrotask(() => callback?.(null));
      return true;
    },
    on: () => undefined,
    off: () => undefined,
  };
  const recorder = new ClusterRecorder(
    { name: 'r', capacity: 65_536, overflow: 'drop-newest', batchSize: 2048, flushTimeoutMs: 1000 },
    channel,
  );
  // The process's sweeper runs on the real clock: this one is moved by hand.
  (recorder as unknown as { rings: IdleSweeper }).rings = rings;
  const ring = () => (recorder as unknown as { queue: { items: unknown[] } }).queue.items.length;
  const burst = async (count: number) => {
    for (let i = 0; i < count; i++) recorder.registerEvent({ type: 'a', n: i });
    while (recorder.stats().pending > 0 || recorder.stats().inFlight > 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const advance = (ms: number) => {
    now += ms;
    rings.sweep();
  };
  return { recorder, ring, burst, advance, rings };
}

describe('a cluster recorder buffer grown by a burst', () => {
  it('is kept while bursts recur and given back once empty for the idle period', async () => {
    const { recorder, ring, burst, advance, rings } = setup();
    await burst(20_000);
    expect(recorder.stats().sent).toBe(20_000);
    const grown = ring();
    expect(grown).toBeGreaterThanOrEqual(16_384);
    expect(rings.size).toBe(1);
    advance(4_000);
    expect(ring()).toBe(grown);
    // Another burst within the period restarts it.
    await burst(20_000);
    advance(4_000);
    expect(ring()).toBe(grown);
    advance(1_001);
    expect(ring()).toBe(16);
    expect(rings.size).toBe(0);
    expect(recorder.stats()).toMatchObject({ registered: 40_000, sent: 40_000, dropped: 0 });
  });

  it('is not given back while it holds events', async () => {
    const { ring, burst, advance, recorder } = setup();
    await burst(20_000);
    const grown = ring();
    // Events registered (not yet sent) when the period ends: the idle task leaves the ring alone.
    for (let i = 0; i < 10; i++) recorder.registerEvent({ type: 'b' });
    advance(6_000);
    expect(ring()).toBe(grown);
    await burst(0);
    expect(recorder.stats().sent).toBe(20_010);
  });
});
