import { counter, histogram, type Metric } from '@mvx-metrics/core';
import { HttpRequestServed } from '../http/events.js';

/** Metric names of {@link httpServerMetrics} and {@link connectionMetrics}. */
export const HTTP_METRICS = {
  requests: 'http.server.requests',
  requestDuration: 'http.server.request.duration',
  connectionRequests: 'connection.requests',
} as const;

/** Service-wide request metrics: one recorder for the whole HTTP server. */
export function httpServerMetrics(): Metric[] {
  return [
    counter({
      name: HTTP_METRICS.requests,
      description: 'HTTP requests served, by method, route and status code',
      on: HttpRequestServed,
      attributes: (e) => ({ method: e.method, route: e.route, status_code: e.statusCode }),
    }),
    histogram({
      name: HTTP_METRICS.requestDuration,
      description: 'Time to serve an HTTP request, by method and route',
      unit: 's',
      on: HttpRequestServed,
      attributes: (e) => ({ method: e.method, route: e.route }),
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
      on: HttpRequestServed,
      attributes: (e) => ({ method: e.method }),
    }),
  ];
}
