import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Agent, request } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExporterAgents, ExporterClosedError } from './exporter-agents.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TCP server on 127.0.0.1 that accepts and never answers; counts connections. */
async function blackHole() {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as { port: number };
  return {
    port,
    get accepted() {
      return accepted;
    },
  };
}

/** A POST through `agent`, settling with the error it ends with (or 'answered'). */
function post(agent: Agent, port: number): Promise<unknown> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/metrics', agent });
    req.on('response', () => resolve('answered'));
    req.on('error', resolve);
    req.end('x');
  });
}

describe('ExporterAgents', () => {
  it('close() ends a request the collector never answers, with an error the exporter does not retry', async () => {
    const hole = await blackHole();
    const agents = new ExporterAgents();
    const agent = await agents.factory('METRICS')('http:');
    const pending = post(agent, hole.port);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hole.accepted).toBe(1);
    agents.close();
    const error = await pending;
    expect(error).toBeInstanceOf(ExporterClosedError);
    expect((error as { code?: unknown }).code).toBeUndefined(); // no errno code: not retryable
    for (const socket of Object.values(agent.sockets).flat()) expect(socket?.destroyed).toBe(true);
  });

  it('after close() a request (a retry, a late export) fails without connecting', async () => {
    const hole = await blackHole();
    const agents = new ExporterAgents();
    const agent = await agents.factory('TRACES')('http:');
    agents.close();
    expect(await post(agent, hole.port)).toBeInstanceOf(ExporterClosedError);
    // an agent made after close() is closed too
    const late = await agents.factory('METRICS')('http:');
    expect(await post(late, hole.port)).toBeInstanceOf(ExporterClosedError);
    expect(hole.accepted).toBe(0);
  });

  it('makes https agents with the certificate files the exporter reads, the signal-specific variable first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mvx-agents-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const saved = { ...process.env };
    cleanups.push(() => {
      for (const key of Object.keys(process.env)) {
        if (key.startsWith('OTEL_EXPORTER_OTLP_') && !(key in saved)) delete process.env[key];
      }
    });
    process.env.OTEL_EXPORTER_OTLP_CERTIFICATE = file('ca.pem', 'shared ca');
    process.env.OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE = file('metrics-ca.pem', 'metrics ca');
    process.env.OTEL_EXPORTER_OTLP_CLIENT_KEY = file('key.pem', 'client key');
    process.env.OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE = join(dir, 'missing.pem');
    const agents = new ExporterAgents();
    cleanups.push(() => agents.close());
    const options = (agent: Agent) =>
      (agent as unknown as { options: Record<string, unknown> }).options;
    const metrics = options(await agents.factory('METRICS')('https:'));
    expect(String(metrics.ca)).toBe('metrics ca');
    expect(String(metrics.key)).toBe('client key');
    expect(metrics.cert).toBeUndefined(); // unreadable: left out, as the exporter does
    expect(metrics.keepAlive).toBe(true);
    expect(String(options(await agents.factory('TRACES')('https:')).ca)).toBe('shared ca');
    // plain http takes no certificates
    expect(options(await agents.factory('METRICS')('http:')).ca).toBeUndefined();
  });
});
