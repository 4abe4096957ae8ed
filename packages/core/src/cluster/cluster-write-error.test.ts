// A write that fails while the channel stays open. Node's IPC `send` calls back with the error on
// the next tick when writing to the channel fails at once, and leaves the channel connected
// (lib/internal/child_process.js, `target._send`: `process.nextTick(callback, ex)`); only a closed
// channel disconnects. What was due behind the failed message must still go: a flush asked meanwhile
// must not wait for its timeout on an idle worker. Survivor cluster-recorder.ts 247:9 / 247:48 of
// core cluster (docs/reliability.md).
import { describe, expect, it } from 'vitest';
import { connectedCluster, pumpUntilSettled } from '../../../../test/support/fake-ipc-channel.js';

describe('a cluster recorder after a write error', () => {
  it('sends what is due at once: a flush asked while the failed message was being written is answered', async () => {
    const { channel, worker, primary, workerErrors } = connectedCluster({
      capacity: 64,
      batchSize: 1,
    });
    const send = channel.worker.send as NonNullable<typeof channel.worker.send>;
    let failures = 1;
    channel.worker.send = (message, callback) => {
      if (failures-- > 0) {
        process.nextTick(() => callback?.(new Error('write EAGAIN')));
        return true;
      }
      return send(message, callback);
    };
    worker.registerEvent({ type: 'x' }); // a full batch (of one): sent at once, its write fails
    const flushed = worker.flush(); // to ride on the next message: none goes while one is being written
    await pumpUntilSettled(channel, flushed);
    expect(worker.stats()).toMatchObject({ flushesTimedOut: 0, registered: 1 });
    expect(channel.connected).toBe(true);
    // The primary heard of the event (the failed message's, in flight for good).
    expect(primary.stats()).toMatchObject({ registered: 1, received: 0, batches: 1 });
    expect(workerErrors.map((e) => e.code)).not.toContain('flush-timeout');
  });

  it('a write error from a closed channel makes the primary gone at once: later events are dropped, not buffered and lost', () => {
    const { channel, worker, workerErrors } = connectedCluster({ capacity: 64, batchSize: 1 });
    worker.registerEvent({ type: 'x' }); // being written when the primary dies
    channel.killPrimary(); // the write calls back with EPIPE; no flush waits, so no one listens for 'disconnect'
    for (let i = 0; i < 3; i++) worker.registerEvent({ type: 'x' });
    expect(worker.stats()).toMatchObject({
      registered: 4,
      sent: 1,
      pending: 0,
      lost: 0,
      dropped: 3,
    });
    expect(workerErrors.map((e) => e.code)).toEqual(['primary-gone']);
    expect(workerErrors[0]?.message).toContain('0 buffered event(s) lost');
  });
});
