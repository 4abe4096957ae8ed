import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createTestRecorder, pointValue } from '@mvx-metrics/core/testing';
import { afterEach, describe, expect, test } from 'vitest';
import { DocumentServer } from '../http/document-server.js';
import { STORAGE_METRICS, storageMetrics } from '../metrics/storage-metrics.js';
import { InMemoryBackend, SimulatedBackend } from '../storage/backend.js';
import { DocumentStorage } from '../storage/document-storage.js';
import { LoadGenerator } from './load-generator.js';

let server: DocumentServer | undefined;
afterEach(async () => {
  await server?.close(100);
  server = undefined;
});

/** A small seeded generator (mulberry32), so each run sends the same mix. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('LoadGenerator', () => {
  test('counts per outcome exactly what the storage counted, and recycles connections', async () => {
    const recorder = createTestRecorder(storageMetrics());
    let opened = 0;
    let closed = 0;
    server = new DocumentServer({
      storage: new DocumentStorage(recorder, {
        backend: new SimulatedBackend(new InMemoryBackend(), {
          failWrite: (id) => id.startsWith('faulty-'),
        }),
      }),
      recorder: { registerEvent: () => {} },
      openConnectionScope: () => {
        opened++;
        return { name: `c${opened}`, recorder: { registerEvent: () => {} }, close: () => closed++ };
      },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    const load = new LoadGenerator({
      target: `http://127.0.0.1:${port}`,
      rate: 1,
      sockets: 2,
      requestsPerConnection: 10,
      idPool: 20,
      random: seeded(42),
    });
    // Send a fixed number of requests directly, a few at a time, instead of waiting on the clock.
    for (let round = 0; round < 50; round++) {
      await Promise.all([load.send(), load.send(), load.send(), load.send()]);
    }
    const totals = await load.stop();

    expect(totals.sent).toBe(200);
    expect(totals.errors).toBe(0);
    expect(totals.unexpected).toEqual({});
    const counted = (outcome: string) =>
      pointValue(recorder, STORAGE_METRICS.saveAttempts, { outcome });
    expect(totals.saves).toEqual({
      success: counted('success'),
      invalid: counted('invalid'),
      failure: counted('failure'),
    });
    expect(totals.saves.invalid).toBeGreaterThan(0);
    expect(totals.saves.failure).toBeGreaterThan(0);
    expect(totals.reads.found + totals.reads.missing).toBeGreaterThan(0);
    expect(opened).toBeGreaterThan(2); // more connections than sockets: they were recycled
    await expect.poll(() => closed).toBe(opened);
  });

  test('never sends more than the rate allows (one second of budget at most)', async () => {
    server = new DocumentServer({
      storage: new DocumentStorage({ registerEvent: () => {} }),
      recorder: { registerEvent: () => {} },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    const load = new LoadGenerator({ target: `http://127.0.0.1:${port}`, rate: 20 });
    const started = performance.now();
    load.start();
    await new Promise((resolve) => setTimeout(resolve, 600));
    const totals = await load.stop();
    const seconds = (performance.now() - started) / 1000;
    // An upper bound only: a slow machine sends fewer, never more.
    expect(totals.sent).toBeLessThanOrEqual(Math.ceil(20 * seconds));
    expect(totals.errors).toBe(0);
  });

  test('stop() ends the requests a going-away service never answers, each counted as an error', async () => {
    // As a node:cluster primary does with a connection it accepted for a worker that exited:
    // the connection stays open and unanswered. Here one half answers nothing at all; the other
    // half gets its headers and then a byte now and then, so no socket timeout ever ends it.
    const sockets = new Set<Socket>();
    const trickles: NodeJS.Timeout[] = [];
    let accepted = 0;
    const hole = createServer((_req, res) => {
      accepted++;
      if (accepted % 2 === 0) return;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('.');
      trickles.push(setInterval(() => res.write('.'), 500));
    });
    hole.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    try {
      const load = new LoadGenerator({
        target: `http://127.0.0.1:${(hole.address() as AddressInfo).port}`,
        rate: 1,
        sockets: 4,
        stopGraceMs: 200,
      });
      const sent = [load.send('get'), load.send('put'), load.send('get'), load.send('delete')];
      await expect.poll(() => accepted).toBe(4);
      const totals = await load.stop();
      await Promise.all(sent);
      expect(totals.sent).toBe(4);
      expect(totals.errors).toBe(4);
    } finally {
      for (const timer of trickles) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => hole.close(resolve));
    }
  });

  test('sends nothing when the rate is 0', async () => {
    const load = new LoadGenerator({ target: 'http://127.0.0.1:9', rate: 0 });
    load.start();
    const totals = await load.stop();
    expect(totals.sent).toBe(0);
  });
});
