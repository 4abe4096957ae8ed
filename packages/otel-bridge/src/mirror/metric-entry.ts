import type { Metric } from '@mvx-metrics/core';
import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import type { KindAdapter } from '../kinds/index.js';
import { type Converted, withExtra } from './convert.js';
import { attributesKey } from './merge.js';
import type { MirroredMetric, MirroredPoint } from './types.js';

/** A metric's kind adapter and exported unit and description, from its descriptor. */
export interface Described {
  /** `${namespace}.${name}`, or the metric's full name (`namespace: false`). */
  readonly instrumentName: string;
  readonly adapter: KindAdapter;
  readonly unit: string;
  readonly description: string;
  readonly boundaries: readonly number[] | undefined;
}

/**
 * The mirror's record of one metric. The hook logs each change (the point's core attributes and
 * the value applied); a collection applies the log to the changed points only, through the kind's
 * adapter, and re-reads the whole snapshot only when it must: first sight, a change without
 * attributes or value, a point it has not seen, a kind that cannot apply changes, or more changes
 * than points since the last collection.
 */
export class MetricEntry {
  described: Described | undefined;
  view: MirroredMetric | undefined;
  /** The next collection re-reads the snapshot. */
  stale = true;
  /**
   * The metric shows its live points (a built-in metric, see `readLive` in recorder-mirror.ts):
   * read at each collection, nothing logged, no view kept. `undefined` until the first read.
   */
  live: boolean | undefined;
  /**
   * Live metrics: the exported attributes (core's plus the recorder attribute) of the point at
   * each index, made once per point: a point's index and attributes never change.
   */
  readonly exported: OtelAttributes[] = [];
  /** Live metrics: some point has an attribute of its own under the recorder attribute's key. */
  shadowing = false;
  /** Instruments path: the observable instrument that mirrors this metric (observed kinds). */
  observable: unknown;
  /** Instruments path: the sync instrument this metric's changes go to, or a "not one" marker. */
  recorded: unknown;
  // Changes since the last collection, flat: core attributes, value, core attributes, value, ...
  private readonly changes: unknown[] = [];
  private changeLimit = 0;
  // Which view point a core attributes object is: kept across re-reads, checked on every use
  // against the view point's attributes (core's plus the recorder attribute: no copy of core's
  // attributes is kept for matching).
  private readonly byIdentity = new WeakMap<object, number>();
  private byKey: Map<string, number> | undefined | null;

  constructor(readonly metric: Metric) {}

  /** The hook's part: O(1), no lookup. Past the limit the log is dropped for one re-read. */
  logChange(attributes: object | undefined, value: number | undefined): void {
    if (this.stale || this.live === true) return;
    const changes = this.changes;
    if (attributes === undefined || value === undefined || changes.length >= this.changeLimit) {
      this.stale = true;
      changes.length = 0;
      return;
    }
    changes.push(attributes, value);
  }

  /** Takes a re-read snapshot's view; the change log restarts from it. */
  replace(converted: Converted): void {
    this.view = converted.metric;
    this.byKey = undefined;
    this.stale = false;
    this.changes.length = 0;
    // More changes than points (with some slack): re-reading is then as cheap as applying them.
    this.changeLimit = 2 * (converted.metric.points.length + 8);
  }

  /** A re-read failed: the view is kept, and the next change asks for a re-read again. */
  keepAfterFailedRead(): void {
    this.stale = false;
    this.changes.length = 0;
    this.changeLimit = 0;
  }

  /**
   * Applies the logged changes to the view's points. `true`: points changed; `false`: nothing
   * logged; `undefined`: the log cannot be applied (the caller re-reads the snapshot).
   */
  applyChanges(): boolean | undefined {
    const changes = this.changes;
    if (changes.length === 0) return false;
    const view = this.view;
    if (view === undefined) return undefined;
    const adapter = view.adapter;
    // Core's own rule: the mirror applies a change exactly as the core metric did.
    const definition = adapter.definition;
    const points = view.points as MirroredPoint[];
    // First pass computes, second writes: a log that cannot be applied leaves the view untouched.
    const running = new Map<number, unknown>();
    for (let i = 0; i < changes.length; i += 2) {
      const index = this.indexOf(changes[i] as object);
      const value = changes[i + 1] as number;
      if (index === undefined || !Number.isFinite(value)) return undefined;
      let state = running.get(index);
      if (state === undefined) {
        state = adapter.begin((points[index] as MirroredPoint).value as never);
        if (state === undefined) return undefined;
        running.set(index, state);
      }
      // Refused (a non-finite result core would have refused too): the view no longer matches.
      if (!definition.apply(state as never, value)) return undefined;
    }
    for (const [index, state] of running) {
      const point = points[index] as MirroredPoint;
      points[index] = { attributes: point.attributes, value: adapter.end(state as never) };
    }
    changes.length = 0;
    return true;
  }

  private indexOf(attributes: object): number | undefined {
    const view = this.view as MirroredMetric;
    // A point's own attribute overwritten by the recorder attribute, or points alike: which point
    // a change meant cannot be told from the exported attributes (the snapshot is re-read).
    if (view.overlapping) return undefined;
    const points = view.points;
    const ownerKey = view.owner?.key;
    const known = this.byIdentity.get(attributes);
    if (
      known !== undefined &&
      sameAttributes((points[known] as MirroredPoint | undefined)?.attributes, attributes, ownerKey)
    ) {
      return known;
    }
    if (this.byKey === undefined) this.byKey = keyIndex(points);
    // Keyed as exported: core's attributes with the recorder attribute added.
    const exported = view.owner === undefined ? attributes : withExtra(attributes, ownerOf(view));
    const index = this.byKey?.get(attributesKey(exported as OtelAttributes));
    if (index !== undefined) this.byIdentity.set(attributes, index);
    return index;
  }
}

function ownerOf(view: MirroredMetric): OtelAttributes {
  const owner = view.owner as { key: string; value: string };
  return { [owner.key]: owner.value };
}

// Points by attribute identity; `null` when two points share one (a hand-written metric's): then
// which one a change meant is unknown, and changes are not applied.
function keyIndex(points: readonly MirroredPoint[]): Map<string, number> | null {
  const index = new Map<string, number>();
  for (let i = 0; i < points.length; i++) {
    const raw = (points[i] as MirroredPoint).attributes;
    const key = attributesKey(
      (typeof raw === 'object' && raw !== null ? raw : {}) as OtelAttributes,
    );
    if (index.has(key)) return null;
    index.set(key, i);
  }
  return index;
}

// Whether a view point's exported attributes are `attributes` (core's) plus the recorder
// attribute under `ownerKey` (when on), and nothing else.
function sameAttributes(
  exportedAttributes: unknown,
  attributes: object,
  ownerKey: string | undefined,
): boolean {
  if (typeof exportedAttributes !== 'object' || exportedAttributes === null) return false;
  const a = exportedAttributes as Record<string, unknown>;
  const b = attributes as Record<string, unknown>;
  let count = 0;
  for (const key in b) {
    if (key === ownerKey || a[key] !== b[key]) return false;
    count++;
  }
  for (const key in a) if (key !== ownerKey) count--;
  return count === 0;
}
