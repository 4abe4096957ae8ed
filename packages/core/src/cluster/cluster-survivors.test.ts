// Cluster mode where the order of the channel's steps decides: when a message leaves while others
// are being written. Over the in-memory channel (test/support/fake-ipc-channel.ts), one write
// completing at a time. Killed mutation survivors of core cluster (docs/reliability.md).
import { describe, expect, it } from 'vitest';
import { connectedCluster, tick } from '../../../../test/support/fake-ipc-channel.js';

const events = (worker: { registerEvent(e: object): void }, count: number) => {
  for (let i = 0; i < count; i++) worker.registerEvent({ type: 'x' });
};

describe('a cluster recorder while messages are being written', () => {
  it('sends a batch of exactly batchSize as soon as one write completes, the others still being written', () => {
    const { channel, worker } = connectedCluster({ capacity: 64, batchSize: 8 });
    events(worker, 8); // a full batch: sent at once
    expect(channel.sent).toHaveLength(1);
    events(worker, 24); // three batches behind the one being written: one more goes
    expect(channel.sent).toHaveLength(2);
    expect(worker.stats()).toMatchObject({ pending: 16, inFlight: 16 });
    channel.writeOne(); // the first write completes: a full batch goes behind the second
    expect(channel.sent).toHaveLength(3);
    expect(worker.stats()).toMatchObject({ pending: 8, inFlight: 16 });
    channel.writeOne(); // the second completes with exactly one batch buffered: it goes too
    expect(channel.sent).toHaveLength(4);
    expect(worker.stats()).toMatchObject({ pending: 0, inFlight: 16 });
    expect(worker.stats()).toMatchObject({ registered: 32, sent: 32 });
  });

  it('keeps the bound (buffered + being written <= capacity) after a partial message completes behind full ones', async () => {
    const capacity = 25;
    const { channel, worker } = connectedCluster({ capacity, batchSize: 8 });
    const bound = () => {
      const s = worker.stats();
      expect(s.pending + s.inFlight).toBeLessThanOrEqual(capacity);
      return s;
    };
    events(worker, 1);
    await tick(); // a partial batch goes on the next turn
    expect(channel.sent).toHaveLength(1);
    events(worker, 24); // three batches buffered behind it: one goes
    expect(bound()).toMatchObject({ pending: 16, inFlight: 9, dropped: 0 });
    channel.writeOne(); // the partial message completes: a full batch goes
    channel.writeOne(); // and another
    expect(bound()).toMatchObject({ pending: 0, inFlight: 16 });
    channel.writeOne(); // one full batch still being written, nothing buffered: nothing goes
    expect(channel.sent).toHaveLength(4);
    expect(bound()).toMatchObject({ pending: 0, inFlight: 8 });
    events(worker, 20); // room for 17 behind the 8 being written
    expect(bound()).toMatchObject({ pending: 17, inFlight: 8, dropped: 3 });
    expect(channel.sent).toHaveLength(4);
  });
});
