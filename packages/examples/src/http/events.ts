import { MetricEvent } from '@mvx-metrics/core';

/** The service answered a request. */
export class HttpRequestServed extends MetricEvent {
  constructor(
    readonly method: string,
    /** The route template (`/documents/:id`), never the raw path: raw paths would explode cardinality. `undefined` when no route matched. */
    readonly route: string | undefined,
    readonly statusCode: number,
    /** Time from the request's arrival to the end of the response, in seconds. */
    readonly seconds: number,
    /** Why the request failed (a 5xx status, or the unexpected error's class name); `undefined` when it did not. */
    readonly errorType?: string,
    /** `url.scheme`: `https` when the request came over TLS. */
    readonly scheme: 'http' | 'https' = 'http',
  ) {
    super();
  }
}
