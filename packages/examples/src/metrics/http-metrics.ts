import { counter, exponentialHistogram, histogram, type Metric } from '@mvx-metrics/core';
import { HttpRequestServed } from '../http/events.js';

/** Metric names of {@link httpServerMetrics} and {@link connectionMetrics}. */
export const HTTP_METRICS = {
  /** OpenTelemetry's semantic convention for HTTP servers; its count is the request count. */
  requestDuration: 'http.server.request.duration',
  /**
   * The same durations in a base-2 exponential histogram (`docs.request.latency`): a native
   * histogram in Prometheus' protobuf scrape, an ExponentialHistogram over OTLP.
   */
  requestLatency: 'request.latency',
  connectionRequests: 'connection.requests',
} as const;

// The semantic conventions' advice for `http.server.request.duration`.
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);

/** `http.request.method` as the conventions bound it: a known method, else `_OTHER`. */
export function requestMethod(method: string): string {
  return KNOWN_METHODS.has(method) ? method : '_OTHER';
}

/**
 * The semantic conventions' HTTP server attributes of one request: method and scheme (required),
 * route (absent when none matched), status code, and `error.type` when it failed.
 */
export function httpServerAttributes(e: HttpRequestServed) {
  return {
    'http.request.method': requestMethod(e.method),
    'url.scheme': e.scheme,
    'http.route': e.route,
    'http.response.status_code': e.statusCode,
    'error.type': e.errorType,
  };
}

/** Service-wide request metrics, per OpenTelemetry's HTTP semantic conventions: one recorder for the whole server. */
export function httpServerMetrics(): Metric[] {
  return [
    histogram({
      name: HTTP_METRICS.requestDuration,
      // The conventions define the name exactly: no `docs.` prefix, so standard HTTP dashboards find it.
      namespace: false,
      description: 'Duration of HTTP server requests.',
      unit: 's',
      on: HttpRequestServed,
      attributes: httpServerAttributes,
      value: (e) => e.seconds,
      buckets: DURATION_BUCKETS,
    }),
    // Beside it, not instead: dashboards and alerts written for classic `le` buckets keep working,
    // and the native histogram needs no boundaries (its resolution follows the values).
    exponentialHistogram({
      name: HTTP_METRICS.requestLatency,
      description: 'Duration of HTTP server requests, in base-2 exponential buckets.',
      unit: 's',
      on: HttpRequestServed,
      attributes: httpServerAttributes,
      value: (e) => e.seconds,
    }),
  ];
}

/** Per-connection metrics: each client connection's recorder gets its own set. */
export function connectionMetrics(): Metric[] {
  return [
    counter({
      name: HTTP_METRICS.connectionRequests,
      description: 'HTTP requests served on one client connection, by method',
      unit: '{request}',
      on: HttpRequestServed,
      attributes: (e) => ({ 'http.request.method': requestMethod(e.method) }),
    }),
  ];
}
