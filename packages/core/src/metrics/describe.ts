import type { MetricSnapshot } from '../snapshots/types.js';
import type { Metric, MetricDescriptor } from './types.js';

/**
 * A metric's descriptor: its own `descriptor` when it declares one, else kind, unit and
 * description read from one snapshot (the way hand-written metrics without a descriptor are seen).
 */
export function describeMetric(metric: Metric): MetricDescriptor {
  if (metric.descriptor !== undefined) return metric.descriptor;
  const snapshot: MetricSnapshot = metric.snapshot();
  const descriptor: { -readonly [K in keyof MetricDescriptor]: MetricDescriptor[K] } = {
    name: metric.name,
    kind: snapshot.kind,
  };
  if (snapshot.unit !== undefined) descriptor.unit = snapshot.unit;
  if (snapshot.description !== undefined) descriptor.description = snapshot.description;
  const first = snapshot.points[0] as { boundaries?: unknown } | undefined;
  if (Array.isArray(first?.boundaries))
    descriptor.boundaries = Object.freeze([...first.boundaries]);
  return Object.freeze(descriptor);
}
