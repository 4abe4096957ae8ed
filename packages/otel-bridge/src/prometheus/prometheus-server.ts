import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsWiringError } from '@mvx-metrics/core';
import type { PipelineRequestHandler } from './request-handler.js';

/** A listening `/metrics` server and how to stop it. */
export interface PrometheusServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `handler` (the pipeline's `/metrics`, `/healthz`, `/readyz`) on our own `http.Server`
 * (the exporter's server is never started), so that a port in use rejects with a clear message,
 * port 0 picks a free port, and the server is `unref`'d.
 */
export function listenPrometheus(
  handler: PipelineRequestHandler,
  host: string | undefined,
  port: number,
  endpoint: string,
): Promise<PrometheusServer> {
  const server: Server = createServer((request, response) => handler(request, response));
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
