// ExporterAgents at its edges: what a request through a closed agent fails with (what onError then
// quotes), and which certificate files an https agent gets from the variables OpenTelemetry's
// OTLP/HTTP exporters read: none set, paths with blanks around them, the client certificate, an
// empty variable. The agents' closing against a real socket is in exporter-agents.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExporterAgents, ExporterClosedError } from './exporter-agents.js';

const cleanups: Array<() => unknown> = [];
const saved = { ...process.env };
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('OTEL_EXPORTER_OTLP_') && saved[key] !== process.env[key]) {
      if (key in saved) process.env[key] = saved[key];
      else delete process.env[key];
    }
  }
});

function clearOtlpEnv() {
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('OTEL_EXPORTER_OTLP_')) delete process.env[key];
  }
}

const options = (agent: Agent) =>
  (agent as unknown as { options: Record<string, unknown> }).options;

describe('a request through a closed agent', () => {
  it('fails with ExporterClosedError, saying the exporter was shut down', async () => {
    const agents = new ExporterAgents();
    const agent = await agents.factory('METRICS')('http:');
    agents.close();
    const error = await new Promise<unknown>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: 9,
        method: 'POST',
        path: '/v1/metrics',
        agent,
      });
      req.on('response', () => resolve('answered'));
      req.on('error', resolve);
      req.end('x');
    });
    expect(error).toBeInstanceOf(ExporterClosedError);
    expect(String(error)).toBe('ExporterClosedError: the OTLP exporter was shut down');
  });
});

describe('https agents: the certificate variables', () => {
  function files() {
    const dir = mkdtempSync(join(tmpdir(), 'mvx-agents-edges-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
  }

  it('none set: an https agent without certificate options (and no throw)', async () => {
    clearOtlpEnv();
    const agents = new ExporterAgents();
    cleanups.push(() => agents.close());
    for (const signal of ['METRICS', 'TRACES'] as const) {
      const agent = options(await agents.factory(signal)('https:'));
      expect(Object.keys(agent).filter((k) => ['ca', 'cert', 'key'].includes(k))).toEqual([]);
      expect(agent.keepAlive).toBe(true);
    }
  });

  it('paths with blanks around them are read; the client certificate and key too; an empty signal variable falls back', async () => {
    clearOtlpEnv();
    const file = files();
    process.env.OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE = `  ${file('traces-ca.pem', 'traces ca')}\n`;
    process.env.OTEL_EXPORTER_OTLP_CERTIFICATE = ` ${file('ca.pem', 'shared ca')} `;
    process.env.OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE = '   ';
    process.env.OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE = file('cert.pem', 'client cert');
    process.env.OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY = file('key.pem', 'traces key');
    const agents = new ExporterAgents();
    cleanups.push(() => agents.close());
    const traces = options(await agents.factory('TRACES')('https:'));
    expect(String(traces.ca)).toBe('traces ca');
    expect(String(traces.cert)).toBe('client cert');
    expect(String(traces.key)).toBe('traces key');
    const metrics = options(await agents.factory('METRICS')('https:'));
    expect(String(metrics.ca)).toBe('shared ca');
    expect(String(metrics.cert)).toBe('client cert');
    expect('key' in metrics).toBe(false);
  });
});
