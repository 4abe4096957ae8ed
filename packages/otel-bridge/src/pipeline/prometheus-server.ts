import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsWiringError } from '@mvx-metrics/core';
import { diag } from '@opentelemetry/api';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { completeLastLine } from './complete-lines.js';
import { prefersOpenMetrics } from './negotiate.js';
import { OPENMETRICS_CONTENT_TYPE, serializeOpenMetrics } from './openmetrics.js';

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
 * with exemplars; every other one gets the exporter's own Prometheus text format, untouched.
 */
export function listenPrometheus(
  exporter: PrometheusExporter,
  host: string | undefined,
  port: number,
  endpoint: string,
): Promise<PrometheusServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === endpoint && (request.method === 'GET' || request.method === 'HEAD')) {
      if (prefersOpenMetrics(request.headers.accept)) {
        serveOpenMetrics(exporter, response);
        return;
      }
      completeLastLine(response);
      exporter.getMetricsRequestHandler(request, response);
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

function serveOpenMetrics(exporter: PrometheusExporter, response: ServerResponse): void {
  exporter.collect().then(
    ({ resourceMetrics, errors }) => {
      if (errors.length > 0) diag.error('PrometheusExporter: metrics collection errors', ...errors);
      response.statusCode = 200;
      response.setHeader('content-type', OPENMETRICS_CONTENT_TYPE);
      response.setHeader('vary', 'accept');
      response.end(serializeOpenMetrics(resourceMetrics));
    },
    (error: unknown) => {
      response.statusCode = 500;
      response.setHeader('content-type', 'text/plain');
      response.end(`# failed to export metrics: ${String(error)}`);
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
