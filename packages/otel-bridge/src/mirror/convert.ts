import type { MetricSnapshot } from '@mvx-metrics/core';
import type { HrTime, Attributes as OtelAttributes } from '@opentelemetry/api';
import type {
  MirroredHistogram,
  MirroredMetric,
  MirroredPoint,
  MirrorKind,
  SeriesOwner,
} from './types.js';

const KINDS: ReadonlySet<string> = new Set(['counter', 'upDownCounter', 'gauge', 'histogram']);

/** Where a snapshot is going: naming and the attributes every point gets. */
export interface ConvertTarget {
  readonly namespace: string;
  /** The metric's own name (validated by core); the snapshot's `name` is not trusted for naming. */
  readonly name: string;
  /** Merged into every point (e.g. `{ recorder: 'document_storage' }`); empty for none. */
  readonly extraAttributes: OtelAttributes;
  /** The recorder attribute in `extraAttributes`, if any. */
  readonly owner: SeriesOwner | undefined;
  readonly startTime: HrTime;
}

/** The mirror's view of a snapshot, plus the counts of malformed (skipped) and shadowing points. */
export interface Converted {
  readonly metric: MirroredMetric;
  readonly skipped: number;
  /** Points with an attribute of their own under the recorder attribute's key (overwritten). */
  readonly shadowed: number;
}

/** Maps a snapshot kind to the exported kind: the built-ins map to themselves, anything else to a gauge. */
export function mirrorKind(kind: string): MirrorKind {
  return KINDS.has(kind) ? (kind as MirrorKind) : 'gauge';
}

/** Converts one snapshot into exportable points. Malformed points (a hand-written metric's) are skipped and counted. */
export function convertSnapshot(snapshot: MetricSnapshot, target: ConvertTarget): Converted {
  const kind = mirrorKind(snapshot.kind);
  const points: MirroredPoint[] = [];
  const ownerKey = target.owner?.key;
  let skipped = 0;
  let shadowed = 0;
  for (const raw of Array.isArray(snapshot.points) ? snapshot.points : []) {
    const value = kind === 'histogram' ? histogramValue(raw) : numberValue(raw);
    if (value === undefined) {
      skipped++;
      continue;
    }
    if (ownerKey !== undefined && shadows(raw.attributes, ownerKey)) shadowed++;
    points.push({ attributes: withExtra(raw.attributes, target.extraAttributes), value });
  }
  return {
    metric: {
      instrumentName: `${target.namespace}.${target.name}`,
      kind,
      unit: typeof snapshot.unit === 'string' ? snapshot.unit : '',
      description: typeof snapshot.description === 'string' ? snapshot.description : '',
      startTime: target.startTime,
      points,
      owner: target.owner,
      overlapping: shadowed > 0,
    },
    skipped,
    shadowed,
  };
}

/** Point attributes with the extra ones (the recorder attribute) added; the extra ones win. */
export function withExtra(attributes: unknown, extra: OtelAttributes): OtelAttributes {
  const base = typeof attributes === 'object' && attributes !== null ? attributes : {};
  for (const _ in extra) return { ...base, ...extra };
  return base as OtelAttributes;
}

/** Whether `attributes` has an attribute of its own under `key` (which the recorder attribute overwrites). */
export function shadows(attributes: unknown, key: string): boolean {
  return typeof attributes === 'object' && attributes !== null && Object.hasOwn(attributes, key);
}

function numberValue(point: unknown): number | undefined {
  const value = (point as { value?: unknown } | null)?.value;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function histogramValue(point: unknown): MirroredHistogram | undefined {
  const p = point as Partial<Record<string, unknown>> | null;
  if (p === null || typeof p !== 'object') return undefined;
  const { count, sum, min, max, boundaries, bucketCounts } = p;
  if (
    typeof count !== 'number' ||
    typeof sum !== 'number' ||
    !Number.isFinite(count) ||
    !Number.isFinite(sum) ||
    !Array.isArray(boundaries) ||
    !Array.isArray(bucketCounts) ||
    bucketCounts.length !== boundaries.length + 1
  ) {
    return undefined;
  }
  const value: MirroredHistogram = {
    buckets: { boundaries: boundaries as number[], counts: bucketCounts as number[] },
    count,
    sum,
  };
  if (count > 0 && typeof min === 'number') value.min = min;
  if (count > 0 && typeof max === 'number') value.max = max;
  return value;
}
