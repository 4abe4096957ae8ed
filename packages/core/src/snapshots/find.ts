import type { Attributes, MetricSnapshot, SnapshotPoint } from './types.js';

/**
 * True when `actual` has exactly the `expected` attributes (order-insensitive), values compared
 * as their text: `413` matches `'413'`, as both print on `/metrics`. See {@link attributesEqual}
 * for values of the same type.
 */
export function attributesMatch(actual: Attributes, expected: Attributes): boolean {
  return sameKeys(actual, expected, (a, b) => String(a) === String(b));
}

/**
 * True when `actual` has exactly the `expected` attributes (order-insensitive) with values of
 * the same type: `413` equals `413` (and `-0`, which metrics store as `0`; `NaN` equals `NaN`),
 * never `'413'`.
 */
export function attributesEqual(actual: Attributes, expected: Attributes): boolean {
  return sameKeys(actual, expected, (a, b) => a === b || (Number.isNaN(a) && Number.isNaN(b)));
}

function sameKeys(
  actual: Attributes,
  expected: Attributes,
  same: (a: unknown, b: unknown) => boolean,
): boolean {
  const keys = Object.keys(expected);
  if (keys.length !== Object.keys(actual).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(actual, key) || !same(actual[key], expected[key])) return false;
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
 * The point of metric `name` whose attributes equal `attributes` (default: none): the point whose
 * values have the same types ({@link attributesEqual}), else the first whose values print alike
 * ({@link attributesMatch}: a test that asks for `{ status: '413' }` still finds the point a
 * metric now stores as `{ status: 413 }`).
 *
 * @example
 * const point = findPoint(recorder.getMetricSnapshots(), 'document.save.attempts', { outcome: 'success' });
 */
export function findPoint<P extends SnapshotPoint = SnapshotPoint>(
  snapshots: readonly MetricSnapshot[],
  name: string,
  attributes: Attributes = {},
): P | undefined {
  const points = findSnapshot(snapshots, name)?.points;
  if (points === undefined) return undefined;
  return (points.find((point) => attributesEqual(point.attributes, attributes)) ??
    points.find((point) => attributesMatch(point.attributes, attributes))) as P | undefined;
}
