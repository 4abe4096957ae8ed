import type { Attributes, MetricSnapshot, SnapshotPoint } from './types.js';

/** True when `actual` has exactly the `expected` attributes (order-insensitive, values compared as strings). */
export function attributesMatch(actual: Attributes, expected: Attributes): boolean {
  const keys = Object.keys(expected);
  if (keys.length !== Object.keys(actual).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(actual, key) || String(actual[key]) !== String(expected[key])) return false;
  }
  return true;
}

/** The snapshot of the metric called `name`, if any. */
export function findSnapshot(
  snapshots: readonly MetricSnapshot[],
  name: string,
): MetricSnapshot | undefined {
  return snapshots.find((snapshot) => snapshot.name === name);
}

/**
 * The point of metric `name` whose attributes equal `attributes` (default: none).
 *
 * @example
 * const point = findPoint(recorder.getMetricSnapshots(), 'document.save.attempts', { outcome: 'success' });
 */
export function findPoint<P extends SnapshotPoint = SnapshotPoint>(
  snapshots: readonly MetricSnapshot[],
  name: string,
  attributes: Attributes = {},
): P | undefined {
  const snapshot = findSnapshot(snapshots, name);
  return snapshot?.points.find((point) => attributesMatch(point.attributes, attributes)) as
    | P
    | undefined;
}
