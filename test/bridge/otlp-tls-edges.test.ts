// OTLP/HTTP over https to a collector that only the per-signal certificate variables trust and that
// requires a client certificate: the agents the pipeline hands its exporters (so that shutdown can
// close them) read the same variables the exporters would, signal by signal, for metrics and for
// traces, over http/protobuf and http/json. Test-only certificate: fixtures/tls/README.md.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { describe, expect, it } from 'vitest';
import { isolatedOtelEnv } from './otel-env-support.js';
import { decodeOtlp } from './otlp-protos.js';
import { listenOnLoopback } from './otlp-receiver.js';

const { setEnv, cleanups } = isolatedOtelEnv();

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/tls/${name}`, import.meta.url));
const CERT = fixture('test-only-cert.pem');
const KEY = fixture('test-only-key.pem');

interface Received {
  readonly path: string;
  readonly clientAuthorized: boolean;
  readonly body: unknown;
}

/** An OTLP/HTTP collector on https://127.0.0.1 that requires a client certificate it trusts. */
async function tlsCollector() {
  const received: Received[] = [];
  const server: Server = createServer(
    {
      key: readFileSync(KEY),
      cert: readFileSync(CERT),
      ca: readFileSync(CERT),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        const path = request.url ?? '/';
        const json = (request.headers['content-type'] ?? '').includes('json');
        const kind = path.includes('trace') ? 'traces' : 'metrics';
        received.push({
          path,
          clientAuthorized: (request.socket as TLSSocket).authorized,
          body: json ? JSON.parse(raw.toString('utf8')) : decodeOtlp(kind, raw),
        });
        response.writeHead(200, {
          'content-type': json ? 'application/json' : 'application/x-protobuf',
        });
        response.end(json ? '{}' : '');
      });
    },
  );
  const { port, close } = await listenOnLoopback(server);
  cleanups.push(close);
  return { url: `https://127.0.0.1:${port}`, received };
}

describe('OTLP over https with the certificate variables', () => {
  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    it(`${protocol}: metrics and spans reach a collector trusted through OTEL_EXPORTER_OTLP_{METRICS,TRACES}_CERTIFICATE, with the client certificate`, async () => {
      const collector = await tlsCollector();
      setEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        // no shared CERTIFICATE: each signal trusts the collector through its own variable only
        OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: CERT,
        OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: CERT,
        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: CERT,
        OTEL_EXPORTER_OTLP_CLIENT_KEY: KEY,
      });
      const reports: Error[] = [];
      const pipeline = await createOtelPipeline({
        serviceName: 'tls',
        prometheus: false,
        registerGlobals: false,
        onError: (error) => reports.push(error),
        otlp: { intervalMs: 3_600_000 },
      });
      cleanups.push(() => pipeline.shutdown());
      pipeline.meterProvider.getMeter('tls').createCounter('tls.calls').add(1);
      pipeline.tracerProvider.getTracer('tls').startSpan('secure').end();
      await pipeline.meterProvider.forceFlush();
      await pipeline.tracerProvider.forceFlush();
      expect(reports.map((r) => r.message)).toEqual([]);
      expect(collector.received.map((r) => r.path).sort()).toEqual(['/v1/metrics', '/v1/traces']);
      for (const request of collector.received) expect(request.clientAuthorized).toBe(true);
      expect(collector.received.find((r) => r.path === '/v1/metrics')?.body).toHaveProperty(
        'resourceMetrics',
      );
    });
  }
});
