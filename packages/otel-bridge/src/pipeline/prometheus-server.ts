import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsWiringError } from '@mvx-metrics/core';
import { diag } from '@opentelemetry/api';
import type { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { completeLastLine } from './complete-lines.js';
import { prefersOpenMetrics } from './negotiate.js';
import { OPENMETRICS_CONTENT_TYPE, serializeOpenMetrics } from './openmetrics.js';
import { type PrometheusNaming, renameForPrometheus } from './prometheus-naming.js';

/** What `/metrics` serves from: the exporter (a reader: it collects), its text serializer, the naming. */
export interface MetricsSource {
  readonly exporter: PrometheusExporter;
  readonly serializer: PrometheusSerializer;
  readonly naming: PrometheusNaming;
}

/** A listening `/metrics` server and how to stop it. */
export interface PrometheusServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `exporter` on our own `http.Server` (the exporter's server is never started), so that a
 * port in use rejects with a clear message, port 0 picks a free port, and the server is `unref`'d.
 * A scraper that asks for OpenMetrics (`Accept: application/openmetrics-text`) gets OpenMetrics 1.0
 * with exemplars; every other one gets the exporter's own Prometheus text format (its serializer,
 * as its request handler uses it), both under the Prometheus names of `renameForPrometheus`.
 */
export function listenPrometheus(
  source: MetricsSource,
  host: string | undefined,
  port: number,
  endpoint: string,
): Promise<PrometheusServer> {
  const names = new Map<string, { name: string; unit: string }>();
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === endpoint && (request.method === 'GET' || request.method === 'HEAD')) {
      serve(source, names, prefersOpenMetrics(request.headers.accept), response);
      return;
    }
    response.statusCode = 404;
    response.end();
  });
  server.unref();
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.close();
      reject(listenError(error, host, port));
    };
    server.once('error', onError);
    server.listen(host === undefined ? { port } : { port, host }, () => {
      server.off('error', onError);
      // A later server error (rare) must not crash the process: there is no one to throw to.
      server.on('error', () => {});
      const actual = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${displayHost(host)}:${actual}${endpoint}`,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

function serve(
  source: MetricsSource,
  names: Map<string, { name: string; unit: string }>,
  openMetrics: boolean,
  response: ServerResponse,
): void {
  source.exporter.collect().then(
    ({ resourceMetrics, errors }) => {
      if (errors.length > 0) diag.error('PrometheusExporter: metrics collection errors', ...errors);
      const renamed = renameForPrometheus(resourceMetrics, source.naming, names);
      response.statusCode = 200;
      if (openMetrics) {
        response.setHeader('content-type', OPENMETRICS_CONTENT_TYPE);
        response.end(serializeOpenMetrics(renamed));
        return;
      }
      response.setHeader('content-type', 'text/plain');
      completeLastLine(response);
      response.end(source.serializer.serialize(renamed));
    },
    (error: unknown) => {
      response.statusCode = openMetrics ? 500 : 200; // the exporter answers 200 with the message
      response.setHeader('content-type', 'text/plain');
      response.end(`# failed to export metrics: ${String(error)}\n`);
    },
  );
}

function listenError(
  error: NodeJS.ErrnoException,
  host: string | undefined,
  port: number,
): MetricsWiringError {
  const where = `${host ?? 'all interfaces'} port ${port}`;
  const message =
    error.code === 'EADDRINUSE'
      ? `createOtelPipeline: the Prometheus port ${port} is already in use (${where}). Stop the other process, or pass prometheus: { port: <another port> } (0 picks a free one), or prometheus: false.`
      : `createOtelPipeline: cannot serve Prometheus metrics on ${where}: ${error.message}. Pass prometheus: { host, port } that this process may bind, or prometheus: false.`;
  return new MetricsWiringError('invalid-option', message, { cause: error });
}

function displayHost(host: string | undefined): string {
  if (host === undefined || host === '' || host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
