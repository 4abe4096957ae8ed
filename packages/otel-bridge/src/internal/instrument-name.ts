import type { MetricDescriptor } from '@mvx-metrics/core';

/**
 * A metric's OpenTelemetry instrument name: `${namespace}.${name}`, or `name` alone when the
 * metric declares it as its full name (`namespace: false`, for semantic-convention names such as
 * `http.server.request.duration`). The meter (the scope) stays the namespace either way.
 */
export function instrumentName(
  namespace: string,
  name: string,
  descriptor: Pick<MetricDescriptor, 'namespace'> | undefined,
): string {
  return descriptor?.namespace === false ? name : `${namespace}.${name}`;
}
