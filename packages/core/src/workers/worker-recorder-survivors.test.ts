// The worker side of a connection where the owning side's timing decides: an owner that answers
// one flush while another waits, a port that closes while a batch is still buffered. A port we
// play the owner on (no real owning thread, whose timing a test cannot arrange) stands in for the
// handle's MessagePort. Killed mutation survivors of core workers (docs/reliability.md).
import { EventEmitter } from 'node:events';
import type { MessagePort } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { connectRecorder } from './connect-recorder.js';
import { HANDLE_KIND, HANDLE_VERSION, SLOTS } from './protocol.js';
import type { RecorderHandle } from './types.js';

/** The worker's end of a connection whose owning side is the test: what was posted, and whether the port is referenced. */
class OwnerPlayedPort extends EventEmitter {
  readonly posted: unknown[] = [];
  referenced = true;
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  ref(): void {
    this.referenced = true;
  }
  unref(): void {
    this.referenced = false;
  }
  close(): void {}
  /** The owner answers flush `id` (as owner-connection.ts does once it processed what came before). */
  answer(id: number): void {
    this.emit('message', id);
  }
}

function connect(batchSize = 1_000) {
  const port = new OwnerPlayedPort();
  const handle: RecorderHandle = {
    kind: HANDLE_KIND,
    version: HANDLE_VERSION,
    recorder: 'jobs',
    port: port as unknown as MessagePort,
    counters: new SharedArrayBuffer(SLOTS * Uint32Array.BYTES_PER_ELEMENT),
    maxPendingEvents: 10_000,
    overflow: 'drop-newest',
    batchSize,
  };
  const errors: unknown[] = [];
  const remote = connectRecorder(handle, { onError: (error) => errors.push(error) });
  return { port, remote, errors };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Whether `promise` has settled after a few turns. */
async function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  for (let i = 0; i < 3; i++) await turn();
  return settled;
}

describe('worker-side recorder, against an owner the test plays', () => {
  test("the owner's answer to the first flush does not resolve a later one (flush ids grow)", async () => {
    const { port, remote } = connect();
    remote.registerEvent({ type: 'job.done' });
    const first = remote.flush();
    remote.registerEvent({ type: 'job.done' });
    const second = remote.flush();
    const ids = port.posted.filter((m) => typeof m === 'number');
    expect(ids).toHaveLength(2);
    // The owner processed the first batch and answers its flush before it takes in the second.
    port.answer(ids[0] as number);
    expect(await settledSoon(first)).toBe(true);
    expect(await settledSoon(second)).toBe(false);
    port.answer(ids[1] as number);
    expect(await settledSoon(second)).toBe(true);
  });

  test('an answer while another flush still waits keeps the port referenced (the worker alive)', async () => {
    const { port, remote } = connect();
    expect(port.referenced).toBe(false);
    const first = remote.flush();
    const second = remote.flush();
    expect(port.referenced).toBe(true);
    const ids = port.posted.filter((m) => typeof m === 'number') as number[];
    port.answer(ids[0] as number);
    await first;
    expect(port.referenced).toBe(true);
    port.answer(ids[1] as number);
    await second;
    expect(port.referenced).toBe(false);
  });

  test('the port closing while a batch is still buffered counts that batch as lost, and the books balance', async () => {
    const { port, remote } = connect();
    for (let i = 0; i < 3; i++) remote.registerEvent({ type: 'job.done' });
    expect(remote.stats()).toMatchObject({ registered: 3, pending: 3, sent: 0 });
    // The owning side shut down before the partial batch's turn came.
    port.emit('close');
    const stats = remote.stats();
    expect(stats).toMatchObject({ registered: 3, pending: 0, sent: 0, lost: 3 });
    expect(stats.sent + stats.dropped + stats.uncloneable + stats.lost + stats.pending).toBe(
      stats.registered,
    );
    await turn();
    expect(remote.stats()).toMatchObject({ sent: 0, lost: 3 });
    expect(port.posted).toEqual([]);
  });
});
