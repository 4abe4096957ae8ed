import type { Attributes } from '../snapshots/types.js';
import { attributeKey, attributesFromMap, cleanName, normalizeAttributes } from './attributes.js';

/** The attribute set of the point that absorbs attribute sets beyond the cardinality limit. */
const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

/** Points a metric keeps by default, the overflow point included (as OpenTelemetry's default). */
export const DEFAULT_CARDINALITY_LIMIT = 2000;

// Memo nodes kept per cardinality-limit unit; beyond that the memo stops growing (lookups stay exact).
const MEMO_NODES_PER_POINT = 8;

/**
 * A step of the memo: raw attribute values, in the caller's (sorted) key order, leading to a known
 * point. Each step expects one attribute name (attribute functions return the same keys every
 * time); a different name simply misses and takes the exact path.
 */
interface MemoNode<P> {
  point: P | undefined;
  name: string | undefined;
  values: Map<unknown, MemoNode<P>> | undefined;
}

/**
 * Points of one metric keyed by attribute set, bounded by a cardinality limit that counts the
 * overflow point (OpenTelemetry's rule): once `limit - 1` sets exist, new sets go to the overflow
 * point while known sets keep updating.
 */
export class PointStore<P extends { attributes: Attributes }> {
  private readonly byKey = new Map<string, P>();
  private single: P | undefined;
  private overflowPoint: P | undefined;
  // Hot-path memo: building and hashing the string key costs more than the metric update itself.
  private readonly memo: MemoNode<P> = { point: undefined, name: undefined, values: undefined };
  private memoNodes = 0;

  constructor(
    private readonly create: (attributes: Attributes) => P,
    private readonly limit: number,
    private readonly hasAttributes: boolean,
    private readonly onOverflow: () => void,
  ) {}

  /**
   * The point for `raw` attributes, created on first sight; `undefined`, `null` or a primitive
   * (an `attributes()` that returned something else than an object) mean none.
   */
  get(raw: Readonly<Record<string, unknown>> | null | undefined): P {
    // Without an attributes function there is exactly one point, whatever `initial` says.
    if (!this.hasAttributes) return this.single ?? this.singlePoint();
    if (raw === undefined || raw === null || typeof raw !== 'object') return this.getByKey('', {});
    if (raw instanceof Map) {
      const record = attributesFromMap(raw);
      return this.getByKey(attributeKey(record), record);
    }
    const known = this.recall(raw);
    if (known !== undefined) return known;
    const point = this.getByKey(attributeKey(raw), raw);
    if (point !== this.overflowPoint) this.remember(raw, point);
    return point;
  }

  /**
   * The point `raw` maps to, if the memo has seen the same primitive values under the same names in
   * the same (sorted) order. With clean, sorted names `attributeKey` is a pure function of that sequence,
   * so a hit is exactly the point `getByKey` would return; points are never removed, and the
   * overflow point is never memoised (a new set must still overflow). Only sorted sequences are
   * remembered, so a sequence that follows the memo's names is sorted too.
   */
  private recall(raw: Readonly<Record<string, unknown>>): P | undefined {
    let node = this.memo;
    for (const name in raw) {
      const value = raw[name];
      if (value === undefined || value === null) continue;
      // Inherited keys are not part of a point's identity (see attributeKey): take the exact path.
      if (name !== node.name || !isMemoValue(value) || !Object.hasOwn(raw, name)) return undefined;
      const next = (node.values as Map<unknown, MemoNode<P>>).get(value);
      if (next === undefined) return undefined;
      node = next;
    }
    return node.point;
  }

  private remember(raw: Readonly<Record<string, unknown>>, point: P): void {
    if (this.memoNodes >= this.limit * MEMO_NODES_PER_POINT) return;
    let node = this.memo;
    let previous = '';
    let first = true;
    for (const name in raw) {
      const value = raw[name];
      if (value === undefined || value === null) continue;
      // Clean names in sorted order: exactly when `attributeKey` builds the key from this sequence.
      if (
        !isMemoValue(value) ||
        (!first && name < previous) ||
        cleanName(name) !== name ||
        !Object.hasOwn(raw, name)
      ) {
        return;
      }
      first = false;
      previous = name;
      if (node.name === undefined) {
        node.name = name;
        node.values = new Map();
      } else if (node.name !== name) {
        return;
      }
      const values = node.values as Map<unknown, MemoNode<P>>;
      let next = values.get(value);
      if (next === undefined) {
        next = { point: undefined, name: undefined, values: undefined };
        values.set(value, next);
        this.memoNodes++;
      }
      node = next;
    }
    node.point = point;
  }

  private getByKey(key: string, raw: Readonly<Record<string, unknown>>): P {
    // Without an attributes function, `{}` (e.g. from `initial: [{}]`) is the single point.
    if (key === '' && !this.hasAttributes) return this.singlePoint();
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    if (this.byKey.size >= this.limit - 1) {
      if (this.overflowPoint === undefined) {
        this.overflowPoint = this.create({ ...OVERFLOW_ATTRIBUTES });
        this.onOverflow();
      }
      return this.overflowPoint;
    }
    const point = this.create(normalizeAttributes(raw));
    this.byKey.set(key, point);
    return point;
  }

  // A metric without attributes has exactly one point, at zero until its first event.
  private singlePoint(): P {
    this.single ??= this.create({});
    return this.single;
  }

  /** Every point, overflow last. */
  points(): P[] {
    const out: P[] = [];
    if (!this.hasAttributes) out.push(this.singlePoint());
    for (const point of this.byKey.values()) out.push(point);
    if (this.overflowPoint !== undefined) out.push(this.overflowPoint);
    return out;
  }
}

// Values whose normalised form depends on the value alone (objects may change between events).
function isMemoValue(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
}
