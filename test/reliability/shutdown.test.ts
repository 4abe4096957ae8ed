import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, fixture, runNode } from './support/child.js';

interface Totals {
  registered: number;
  processed: number;
  dropped: number;
  pending: number;
}

interface OtlpNumberPoint {
  asDouble?: number;
  asInt?: number | string;
  attributes?: Array<{ key: string; value: { stringValue?: string } }>;
}
interface OtlpMetric {
  name: string;
  sum?: { dataPoints: OtlpNumberPoint[] };
  histogram?: { dataPoints: Array<{ count: number | string }> };
}
interface OtlpBody {
  resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: OtlpMetric[] }> }>;
}

/** A loopback OTLP/HTTP receiver that keeps every metrics export (JSON) it is sent. */
async function receiver() {
  const exports: OtlpBody[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      if (request.url === '/v1/metrics') exports.push(JSON.parse(body) as OtlpBody);
      response.setHeader('content-type', 'application/json');
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function totalOf(body: OtlpBody, name: string, field: 'sum' | 'histogram'): number {
  let total = 0;
  for (const resource of body.resourceMetrics) {
    for (const scope of resource.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.name !== name) continue;
        if (field === 'sum') {
          for (const p of metric.sum?.dataPoints ?? []) total += Number(p.asDouble ?? p.asInt ?? 0);
        } else {
          for (const p of metric.histogram?.dataPoints ?? []) total += Number(p.count);
        }
      }
    }
  }
  return total;
}

/** Runs the service, SIGTERMs it once it is under load, and collects what it printed. */
async function runAndTerminate(otlpUrl: string) {
  let signalSentAt = 0;
  const run = await runNode(fixture('sigterm-service.mjs'), [otlpUrl], {
    timeoutMs: 20_000,
    onLine: (line, child) => {
      if (line === 'ready') {
        signalSentAt = performance.now();
        child.kill('SIGTERM');
      }
    },
  });
  const line = (prefix: string) => run.stdout.split('\n').find((l) => l.startsWith(prefix));
  const atSignal = JSON.parse(line('signal ')?.slice(7) ?? 'null') as Totals | null;
  const drained = JSON.parse(line('drained ')?.slice(8) ?? 'null') as Pick<
    Totals,
    'processed' | 'dropped'
  > | null;
  return { run, atSignal, drained, exitMs: performance.now() - signalSentAt };
}

describe('SIGTERM while events are pending', () => {
  beforeAll(() => ensureBuilt('packages/otel-bridge'));
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((close) => close()));
  });

  it('drains and sends a final OTLP export holding every event registered before the signal, then exits', async () => {
    const collector = await receiver();
    cleanups.push(collector.close);
    const { run, atSignal, drained, exitMs } = await runAndTerminate(collector.url);
    expect(run.timedOut).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(exitMs).toBeLessThan(5_000);
    expect(atSignal).not.toBeNull();
    // the signal really arrived with a backlog
    expect(atSignal?.pending).toBeGreaterThan(0);
    const registered = atSignal?.registered as number;
    expect(drained).toEqual({ processed: registered, dropped: 0 });
    const last = collector.exports.at(-1);
    expect(last).toBeDefined();
    expect(totalOf(last as OtlpBody, 'rel.requests', 'sum')).toBe(registered);
    expect(totalOf(last as OtlpBody, 'rel.latency', 'histogram')).toBe(registered);
    console.log(
      `[reliability] SIGTERM with ${atSignal?.pending} pending of ${registered} registered: final export ${totalOf(last as OtlpBody, 'rel.requests', 'sum')}, exit after ${Math.round(exitMs)} ms`,
    );
  });

  it('exits within 5 s when the collector is unreachable', async () => {
    const gone = await receiver();
    await gone.close(); // its port is now closed
    const { run, atSignal, drained, exitMs } = await runAndTerminate(gone.url);
    expect(run.timedOut).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(exitMs).toBeLessThan(5_000);
    expect(drained?.processed).toBe(atSignal?.registered);
    console.log(
      `[reliability] SIGTERM, collector unreachable: exit after ${Math.round(exitMs)} ms`,
    );
  });
});
