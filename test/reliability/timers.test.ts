import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, fixture, resultOf, runNode } from './support/child.js';

interface Result {
  beforeExit: boolean;
  totals: { registered: number; processed: number; dropped: number; pending: number };
}

describe('the library never keeps a process alive', () => {
  beforeAll(() => ensureBuilt('packages/otel-bridge'));

  it('exits by itself, code 0, after processing everything, when shutdown() is never called', async () => {
    const run = await runNode(fixture('no-shutdown.mjs'), ['started'], { timeoutMs: 10_000 });
    expect(run.timedOut).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    const result = resultOf<Result>(run);
    expect(result.beforeExit).toBe(true);
    expect(result.totals).toEqual({
      registered: 20_050,
      processed: 20_050,
      dropped: 0,
      pending: 0,
    });
  });

  it('exits by itself when the runtime was never started and events stay pending', async () => {
    const run = await runNode(fixture('no-shutdown.mjs'), ['never-started'], { timeoutMs: 10_000 });
    expect(run.timedOut).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(resultOf<Result>(run).totals).toEqual({
      registered: 20_050,
      processed: 0,
      dropped: 0,
      pending: 20_050,
    });
  });

  it.each(['reachable', 'unreachable'])(
    'exits by itself with the bridge, Prometheus endpoint and OTLP export wired and never shut down (collector %s)',
    async (collector) => {
      const server = createServer((request, response) => {
        request.resume();
        request.on('end', () => response.end('{}'));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const close = () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        });
      if (collector === 'unreachable') await close();
      try {
        const run = await runNode(fixture('no-shutdown-pipeline.mjs'), [url], {
          timeoutMs: 15_000,
        });
        expect(run.timedOut).toBe(false);
        expect(run.code, run.stderr).toBe(0);
        const result = resultOf<{ beforeExit: boolean; scraped: boolean; stats: Result['totals'] }>(
          run,
        );
        expect(result.beforeExit).toBe(true);
        expect(result.scraped).toBe(true);
        expect(result.stats).toMatchObject({ registered: 10_000, processed: 10_000, pending: 0 });
      } finally {
        if (collector === 'reachable') await close();
      }
    },
  );
});
