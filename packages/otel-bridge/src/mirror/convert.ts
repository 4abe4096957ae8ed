import { type MetricSnapshot, normalizeAttributes } from '@mvx-metrics/core';
import type { HrTime, Attributes as OtelAttributes } from '@opentelemetry/api';
import type { KindAdapter } from '../kinds/index.js';
import { attributesKey } from './merge.js';
import type { MirroredMetric, MirroredPoint, SeriesOwner } from './types.js';

/** Where a snapshot is going: naming, the kind's adapter and the attributes every point gets. */
export interface ConvertTarget {
  readonly namespace: string;
  /** The metric's own name (validated by core); the snapshot's `name` is not trusted for naming. */
  readonly name: string;
  /** The exported name when it is not `${namespace}.${name}` (a metric's full name, `namespace: false`). */
  readonly instrumentName?: string;
  readonly adapter: KindAdapter;
  readonly unit: string;
  readonly description: string;
  /** Merged into every point (e.g. `{ recorder: 'document_storage' }`); empty for none. */
  readonly extraAttributes: OtelAttributes;
  /** The recorder attribute in `extraAttributes`, if any. */
  readonly owner: SeriesOwner | undefined;
  readonly startTime: HrTime;
}

/**
 * The mirror's view of a snapshot, plus the counts of malformed (skipped) and shadowing points.
 * Nothing of the snapshot is kept beside the view: a point's core attributes are its exported
 * attributes without the recorder attribute (see MetricEntry's matching).
 */
export interface Converted {
  readonly metric: MirroredMetric;
  readonly skipped: number;
  /** Points with an attribute of their own under the recorder attribute's key (overwritten). */
  readonly shadowed: number;
}

/** Converts one snapshot into exportable points. Malformed points (a hand-written metric's) are skipped and counted. */
export function convertSnapshot(snapshot: MetricSnapshot, target: ConvertTarget): Converted {
  const { adapter } = target;
  const points: MirroredPoint[] = [];
  const ownerKey = target.owner?.key;
  let skipped = 0;
  let shadowed = 0;
  // A built-in metric's snapshot carries core's mark: its points are normalised and distinct.
  // Any other (a hand-written metric's) goes through core's rule here, and points that normalise
  // alike are one series (merged by the collection, never printed twice).
  const normalized = (snapshot as { [NORMALIZED]?: unknown })[NORMALIZED] === true;
  const seen = normalized ? undefined : new Set<string>();
  let alike = false;
  for (const raw of Array.isArray(snapshot.points) ? snapshot.points : []) {
    const value = adapter.fromSnapshot(raw);
    if (value === undefined) {
      skipped++;
      continue;
    }
    let attributes: OtelAttributes;
    if (seen === undefined) {
      attributes = (raw as { attributes: OtelAttributes }).attributes;
    } else {
      try {
        attributes = pointAttributes((raw as { attributes?: unknown }).attributes);
      } catch {
        skipped++; // a getter or Proxy that throws: the point cannot be named
        continue;
      }
      const key = attributesKey(attributes);
      if (seen.has(key)) alike = true;
      else seen.add(key);
    }
    if (ownerKey !== undefined && shadows(attributes, ownerKey)) shadowed++;
    points.push({ attributes: withExtra(attributes, target.extraAttributes), value });
  }
  return {
    metric: {
      instrumentName: target.instrumentName ?? `${target.namespace}.${target.name}`,
      adapter,
      unit: target.unit,
      description: target.description,
      startTime: target.startTime,
      points,
      owner: target.owner,
      overlapping: shadowed > 0 || alike,
    },
    skipped,
    shadowed,
  };
}

/**
 * Point attributes with the extra ones (the recorder attribute) added; the extra ones win. Built
 * by plain stores, not `{ ...base, ...extra }`: V8 gives each object built by that spread a hidden
 * class (and descriptor array) of its own, 144 B per mirrored series; stores share one.
 */
export function withExtra(attributes: unknown, extra: OtelAttributes): OtelAttributes {
  const base = typeof attributes === 'object' && attributes !== null ? attributes : {};
  for (const _ in extra) {
    const out: OtelAttributes = {};
    copyOwn(out, base as OtelAttributes);
    copyOwn(out, extra);
    return out;
  }
  return base as OtelAttributes;
}

/**
 * {@link withExtra}, but always a new object: for a live point's attributes, which are core's own
 * (exported data must never let a consumer reach core's state, recorder attribute or not).
 */
export function copyWithExtra(attributes: object, extra: OtelAttributes): OtelAttributes {
  const out: OtelAttributes = {};
  copyOwn(out, attributes as OtelAttributes);
  copyOwn(out, extra);
  return out;
}

// Own enumerable string keys, as a spread copies them: defined, never assigned through a setter
// (an attribute named `__proto__` is an attribute, not the prototype).
function copyOwn(out: OtelAttributes, from: OtelAttributes): void {
  for (const key in from) {
    if (!Object.hasOwn(from, key)) continue;
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value: from[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = from[key];
    }
  }
}

/** Whether `attributes` has an attribute of its own under `key` (which the recorder attribute overwrites). */
export function shadows(attributes: unknown, key: string): boolean {
  return typeof attributes === 'object' && attributes !== null && Object.hasOwn(attributes, key);
}

const OVERFLOW = 'otel.metric.overflow';
// Core's mark on a built-in metric's snapshot (see core's NORMALIZED_SNAPSHOT), by registry key.
const NORMALIZED = Symbol.for('@mvx-metrics/core.normalized-snapshot');

/**
 * A snapshot point's attributes by core's rule, except OpenTelemetry's overflow point, whose
 * `otel.metric.overflow` stays the boolean `true` the specification gives it.
 */
function pointAttributes(raw: unknown): OtelAttributes {
  const attributes = normalizeAttributes(raw);
  if (attributes[OVERFLOW] === 'true') {
    let count = 0;
    for (const _ in attributes) count++;
    if (count === 1) return { [OVERFLOW]: true };
  }
  return attributes;
}
