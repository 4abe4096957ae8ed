import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { HealthReport, PipelineHealth } from '../health/health.js';
import { completeLastLine } from './complete-lines.js';
import { prefersOpenMetrics } from './negotiate.js';
import { OPENMETRICS_CONTENT_TYPE, serializeOpenMetrics } from './openmetrics.js';
import { type PrometheusNaming, renameForPrometheus } from './prometheus-naming.js';
import { forTextSerializer } from './prometheus-text.js';

/** What `/metrics` serves from: the exporter (a reader: it collects), its text serializer, the naming. */
export interface MetricsSource {
  readonly exporter: PrometheusExporter;
  readonly serializer: PrometheusSerializer;
  readonly naming: PrometheusNaming;
}

/**
 * A node:http handler: `(request, response)`, plus an optional `next` that a framework's
 * middleware chain passes (Express, Connect); it is called, synchronously, for every request the
 * handler does not serve, which then gets no response from it. Without `next` such a request
 * gets a 404.
 */
export type PipelineRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/** The paths of the probes. */
export const LIVENESS_PATH = '/healthz';
export const READINESS_PATH = '/readyz';

/**
 * Serves `GET`/`HEAD` of the metrics `endpoint` (when Prometheus export is on), `/healthz` and
 * `/readyz`. A scraper that asks for OpenMetrics (`Accept: application/openmetrics-text`) gets
 * OpenMetrics 1.0 with exemplars; every other one gets the exporter's own Prometheus text format
 * (its serializer, as its request handler uses it), both under the names of `renameForPrometheus`.
 */
export function createRequestHandler(
  source: MetricsSource | undefined,
  endpoint: string,
  health: PipelineHealth,
): PipelineRequestHandler {
  const names = new Map<string, { name: string; unit: string }>();
  return (request, response, next) => {
    const path = (request.url ?? '/').split('?')[0];
    const readable = request.method === 'GET' || request.method === 'HEAD';
    if (readable && source !== undefined && path === endpoint) {
      serveMetrics(source, names, prefersOpenMetrics(request.headers.accept), response);
    } else if (readable && path === LIVENESS_PATH) {
      serveHealth(health.liveness(), request, response);
    } else if (readable && path === READINESS_PATH) {
      serveHealth(health.readiness(), request, response);
    } else if (next !== undefined) {
      next();
    } else {
      response.statusCode = 404;
      response.end();
    }
  };
}

function serveHealth(
  report: HealthReport,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const body = `${JSON.stringify(report)}\n`;
  response.statusCode = report.status === 'ok' ? 200 : 503;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  // Probes must never read a cached answer.
  response.setHeader('cache-control', 'no-store');
  response.setHeader('content-length', Buffer.byteLength(body));
  response.end(request.method === 'HEAD' ? undefined : body);
}

function serveMetrics(
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
      response.end(source.serializer.serialize(forTextSerializer(renamed)));
    },
    (error: unknown) => {
      response.statusCode = openMetrics ? 500 : 200; // the exporter answers 200 with the message
      response.setHeader('content-type', 'text/plain');
      response.end(`# failed to export metrics: ${String(error)}\n`);
    },
  );
}
