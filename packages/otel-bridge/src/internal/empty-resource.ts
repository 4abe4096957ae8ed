import type { CollectionResult } from '@opentelemetry/sdk-metrics';

/** sdk-metrics' `Resource`, named through sdk-metrics so the main entry imports no `resources` package. */
export type OtelResource = CollectionResult['resourceMetrics']['resource'];

/**
 * The resource a `MetricProducer` reports: empty, because readers keep their own resource and take
 * only the producer's scope metrics. Merging it yields the other resource unchanged.
 */
export const EMPTY_RESOURCE: OtelResource = {
  attributes: {},
  merge(other) {
    return other ?? EMPTY_RESOURCE;
  },
  getRawAttributes() {
    return [];
  },
};
