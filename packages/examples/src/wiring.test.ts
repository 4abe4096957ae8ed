import { createServer } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { ConfigError, parseConfig } from './config.js';
import { type RunningService, startDocumentService } from './wiring.js';

const running: RunningService[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.shutdown()));
});

async function start(argv: string[] = []) {
  const service = await startDocumentService(
    parseConfig(['--port', '0', '--metrics-port', '0', '--no-ui', ...argv], {}),
    { log: () => {} },
  );
  running.push(service);
  return service;
}

describe('startDocumentService', () => {
  test('serves documents and creates one recorder per connection, removed when it closes', async () => {
    const service = await start();
    const names = () => service.recorders().map((r) => r.name);
    expect(names()).toEqual(['document_storage', 'http_server']);
    const res = await fetch(`${service.serviceUrl}/documents/a`, {
      method: 'PUT',
      body: 'hello',
      headers: { connection: 'close' },
    });
    expect(res.status).toBe(201);
    expect(service.connectionsOpened).toBe(1);
    await expect.poll(names).toEqual(['document_storage', 'http_server']);
  });

  test('shutdown drains every recorder and is idempotent', async () => {
    const service = await start();
    await fetch(`${service.serviceUrl}/documents/a`, { method: 'PUT', body: 'x' });
    expect(service.recorders().map((r) => r.name)).toContain('connection-001'); // kept alive
    await Promise.all([service.shutdown(), service.shutdown()]);
    // The open keep-alive connection was closed and its scope removed before the runtime stopped.
    expect(service.recorders().map((r) => r.name)).toEqual(['document_storage', 'http_server']);
    for (const recorder of service.recorders()) {
      expect(recorder.stats()).toMatchObject({ pending: 0 });
    }
    const storage = service.recorders().find((r) => r.name === 'document_storage');
    expect(storage?.stats().processed).toBeGreaterThan(0);
  });

  test('answers /healthz and /readyz beside /metrics: ready while running, not once shut down', async () => {
    const lines: string[] = [];
    const service = await startDocumentService(
      parseConfig(['--port', '0', '--metrics-port', '0', '--no-ui', '--no-load'], {}),
      { log: (line) => lines.push(line) },
    );
    running.push(service);
    const probes = service.probes;
    if (probes === undefined) throw new Error('the example serves its probes');
    const ready = await fetch(probes.readiness);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      reasons: [],
      runtimes: [{ namespace: 'docs', state: 'running' }],
    });
    expect((await fetch(probes.liveness)).status).toBe(200);
    await service.shutdown();
    expect(lines.filter((line) => line.includes('runtime'))).toEqual([
      '[mvx-metrics] runtime running → draining',
      '[mvx-metrics] runtime draining → drained',
    ]);
  });

  test('a taken service port ends in one ConfigError naming the port and the fix', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const failing = startDocumentService(
        parseConfig(['--port', String(port), '--metrics-port', '0'], {}),
        { log: () => {} },
      );
      await expect(failing).rejects.toBeInstanceOf(ConfigError);
      await expect(failing).rejects.toThrow(`127.0.0.1:${port} is already in use`);
    } finally {
      blocker.close();
    }
  });
});
