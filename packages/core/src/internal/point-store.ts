import type { Attributes } from '../snapshots/types.js';
import { attributeKey, normalizeAttributes } from './attributes.js';

/** The attribute set of the point that absorbs attribute sets beyond the cardinality limit. */
export const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

export const DEFAULT_CARDINALITY_LIMIT = 2000;

/**
 * Points of one metric keyed by attribute set, bounded by a cardinality limit that counts the
 * overflow point (OpenTelemetry's rule): once `limit - 1` sets exist, new sets go to the overflow
 * point while known sets keep updating.
 */
export class PointStore<P extends { attributes: Attributes }> {
  private readonly byKey = new Map<string, P>();
  private single: P | undefined;
  private overflowPoint: P | undefined;

  constructor(
    private readonly create: (attributes: Attributes) => P,
    private readonly limit: number,
    private readonly hasAttributes: boolean,
    private readonly onOverflow: () => void,
  ) {}

  /** The point for `raw` attributes, created on first sight; `undefined` or `null` mean none. */
  get(raw: Readonly<Record<string, unknown>> | null | undefined): P {
    if (raw === undefined || raw === null) {
      if (this.single !== undefined) return this.single;
      if (!this.hasAttributes) return this.singlePoint();
      return this.getByKey('', {});
    }
    return this.getByKey(attributeKey(raw), raw);
  }

  private getByKey(key: string, raw: Readonly<Record<string, unknown>>): P {
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
