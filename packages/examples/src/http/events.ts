import { MetricEvent } from '@mvx-metrics/core';

/** The service answered a request. */
export class HttpRequestServed extends MetricEvent {
  constructor(
    readonly method: string,
    /** The route template (`/documents/:id`), never the raw path: raw paths would explode cardinality. */
    readonly route: string,
    readonly statusCode: number,
    /** Time from the request's arrival to the end of the response, in seconds. */
    readonly seconds: number,
  ) {
    super();
  }
}
