import { MetricsError, MetricsWiringError } from '../errors/index.js';
import type { EventSelector } from '../events/index.js';
import { isInstance, splitSelector } from '../events/selector.js';
import { describeValue, LIVE_POINTS, NORMALIZED_SNAPSHOT } from '../internal/attributes.js';
import { PointStore } from '../internal/point-store.js';
import { specialize } from '../internal/specialize.js';
import type { KindDefinition, KindPoints, ValueProblem } from '../kinds/index.js';
import type { Attributes, MetricKind, MetricSnapshot } from '../snapshots/types.js';
import { singleAttribute } from './single-attribute.js';
import type {
  AnyEvent,
  Metric,
  MetricDescriptor,
  MetricHost,
  MetricOptions,
  MetricUpdate,
} from './types.js';
import { checkMetricOptions } from './validate-options.js';

/**
 * A built-in metric: selection, points and bad-value accounting here; what its kind means (the
 * point, which values it takes, how one applies) in its kind's definition, one object per kind.
 */
export class BuiltInMetric<K extends MetricKind = MetricKind>
  implements Metric<MetricSnapshot<KindPoints[K]>>
{
  readonly name: string;
  readonly kind: K;
  private readonly selects: (event: object) => boolean;
  // `selects` taken apart, so the common selectors cost no closure call per event.
  private readonly selectClass: Function | undefined;
  private readonly selectType: string | undefined;
  private readonly attributesOf:
    | ((event: AnyEvent) => Readonly<Record<string, unknown>>)
    | undefined;
  // Set when `attributesOf` is `(e) => ({ name: e.property })` (see single-attribute.ts): the
  // event's property is read here and the function is never called.
  private readonly attributeName: string | undefined;
  private readonly attributeProperty: string | undefined;
  private readonly valueOf: ((event: AnyEvent) => number) | undefined;
  private readonly store: PointStore<KindPoints[K]>;
  // The family's compiled copy of `handle`, or none (see the constructor).
  private readonly specialized: ((event: object, update?: MetricUpdate) => boolean) | undefined;
  // The kind's definition (one object per kind, shared by its metrics) and what this metric keeps
  // from its options: plain fields, so an event reaches its kind's rules with no closure made.
  private readonly definition: KindDefinition<K, KindPoints[K]>;
  private readonly config: unknown;
  private readonly selector: EventSelector;
  private readonly description: string | undefined;
  private readonly unit: string | undefined;
  /** `false`: the name is the full OpenTelemetry name (no namespace prefix). */
  private readonly namespace: false | undefined;
  private described: MetricDescriptor | undefined;
  private readonly cardinalityLimit: number;
  private host: MetricHost | undefined;
  private droppedValues = 0;
  private readonly reported = new Set<string>();

  constructor(definition: KindDefinition<K, KindPoints[K]>, raw: MetricOptions) {
    const options = checkMetricOptions(raw, definition.requiresValue);
    this.name = options.name;
    this.kind = definition.kind;
    this.definition = definition;
    const config = definition.configure(options);
    this.config = config;
    this.selector = options.on;
    const selector = splitSelector(options.on);
    this.selects = selector.test;
    this.selectClass = selector.cls;
    this.selectType = selector.type;
    const limit = options.cardinalityLimit;
    this.cardinalityLimit = limit;
    this.attributesOf = options.attributes;
    const single = singleAttribute(options.attributes);
    this.attributeName = single?.name;
    this.attributeProperty = single?.property;
    this.valueOf = options.value;
    this.description = options.description;
    this.unit = options.unit;
    this.namespace = options.namespace;
    this.store = new PointStore<KindPoints[K]>(
      (attributes) => definition.createPoint(attributes, config),
      limit,
      this.attributesOf !== undefined,
      () =>
        this.reportOnce(
          'cardinality-limit',
          `Metric "${this.name}" in recorder "${this.host?.recorderName ?? '?'}" reached its cardinality limit of ${limit}; new attribute sets go to the point {otel.metric.overflow=true}.`,
        ),
    );
    this.seed(options.initial);
    // The family's compiled copy of the per-event path: same kind, same source of `value`,
    // `attributes` and a predicate `on` (closures of one function, e.g. one per recorder, share
    // it). Its calls into them and into the kind's rules are then inlined. A metric with none of
    // those functions has nothing to inline (its kind's rules are, see defineKind): it runs the
    // shared path, which a dispatcher that sees only such metrics inlines in turn.
    const predicate = this.selectClass === undefined ? options.on : undefined;
    const own = [predicate, this.valueOf, this.attributesOf];
    const handle = BuiltInMetric.prototype.handle;
    const copy = own.some((f) => typeof f === 'function')
      ? specialize(handle, familyKey(this.kind, own), canary)
      : handle;
    this.specialized = copy === handle ? undefined : copy;
  }

  /** Kind, unit, description and selector, fixed at definition. */
  get descriptor(): MetricDescriptor {
    this.described ??= Object.freeze(this.describe());
    return this.described;
  }

  /** The descriptor's fields, the kind's own (histogram boundaries) included. */
  private describe(): { -readonly [F in keyof MetricDescriptor]: MetricDescriptor[F] } {
    const descriptor: { -readonly [F in keyof MetricDescriptor]: MetricDescriptor[F] } = {
      name: this.name,
      kind: this.kind,
      selector: this.selector,
    };
    if (this.unit !== undefined) descriptor.unit = this.unit;
    if (this.description !== undefined) descriptor.description = this.description;
    if (this.namespace === false) descriptor.namespace = false;
    const own = this.definition.describe(this.config);
    if (own.boundaries !== undefined) descriptor.boundaries = own.boundaries;
    if (own.maxSize !== undefined) descriptor.maxSize = own.maxSize;
    if (own.maxScale !== undefined) descriptor.maxScale = own.maxScale;
    return descriptor;
  }

  /** Creates the `initial` points. */
  private seed(initial: readonly Attributes[] | undefined): void {
    // Seeding runs before the metric joins a recorder: an overflow here would be reported to
    // nobody, so more initial points than the limit allows is a wiring mistake.
    if (initial !== undefined && initial.length > this.cardinalityLimit - 1) {
      throw new MetricsWiringError(
        'invalid-metric-options',
        `Metric "${this.name}": ${initial.length} initial points exceed cardinalityLimit ${this.cardinalityLimit}, which keeps at most ${this.cardinalityLimit - 1} attribute sets besides the overflow point.`,
      );
    }
    for (const attributes of initial ?? []) this.store.get(attributes);
  }

  attach(host: MetricHost): void {
    this.host = host;
  }

  handleEvent(event: object, update?: MetricUpdate): boolean {
    return this.specialized === undefined
      ? this.handle(event, update)
      : this.specialized(event, update);
  }

  /**
   * The per-event path. A metric with functions of its own runs a compiled copy of it shared with
   * the metrics of its family (see the constructor and internal/specialize.ts), so it may
   * reference nothing but `this`, its parameters and globals: module imports are reached through
   * the methods below.
   */
  private handle(event: object, update: MetricUpdate | undefined): boolean {
    if (this.selectClass !== undefined) {
      if (!this.isSelectedInstance(event)) return false;
    } else if (this.selectType !== undefined) {
      if ((event as { type?: unknown }).type !== this.selectType) return false;
    } else if (!this.selects(event)) {
      return false;
    }
    // Without `value` the increment is 1, which every kind accepts (gauge and histogram require
    // `value`), so only a user-supplied value needs checking.
    let value: unknown = 1;
    if (this.valueOf !== undefined) {
      value = this.valueOf(event);
      const problem = this.definition.checkValue(value);
      if (problem !== undefined) return this.dropValue(value, problem);
    }
    const point =
      this.attributeName !== undefined
        ? this.store.getSingle(
            this.attributeName,
            (event as Record<string, unknown>)[this.attributeProperty as string],
          )
        : this.store.get(this.attributesOf === undefined ? undefined : this.attributesOf(event));
    // Adding it would leave the state at ±Infinity for good: refused and counted like NaN.
    if (!this.definition.apply(point, value as number)) return this.dropOverflow(value);
    if (update !== undefined) {
      update.attributes = point.attributes;
      update.value = value as number;
    }
    return true;
  }

  private isSelectedInstance(event: object): boolean {
    return isInstance(this.selectClass as Function, event);
  }

  /** A value the kind refuses: counted, reported once per code; the event is not accepted. */
  private dropValue(value: unknown, problem: ValueProblem): false {
    this.droppedValues++;
    this.reportOnce(
      problem[0],
      `Metric "${this.name}" in recorder "${this.host?.recorderName ?? '?'}" dropped value ${describeValue(value)}: ${problem[1]}.`,
    );
    return false;
  }

  /** A value whose result would not be finite: counted and reported like a bad value. */
  private dropOverflow(value: unknown): false {
    this.droppedValues++;
    this.reportOnce(
      'invalid-value',
      `Metric "${this.name}" in recorder "${this.host?.recorderName ?? '?'}" dropped value ${describeValue(value)}: adding it would overflow to a non-finite ${this.definition.accumulates}.`,
    );
    return false;
  }

  snapshot(): MetricSnapshot<KindPoints[K]> {
    const definition = this.definition;
    const snapshot: MetricSnapshot<KindPoints[K]> = {
      name: this.name,
      kind: this.kind,
      points: this.store.points().map((point) => definition.copyPoint(point)),
      dropped: this.droppedValues,
    };
    if (this.description !== undefined) snapshot.description = this.description;
    if (this.unit !== undefined) snapshot.unit = this.unit;
    // Its points are distinct and normalised already: a bridge need not normalise them again.
    Object.defineProperty(snapshot, NORMALIZED_SNAPSHOT, { value: true });
    return snapshot;
  }

  /**
   * Visits the live points (see {@link LIVE_POINTS}): what a bridge reads at collection instead
   * of a snapshot. `false` when a subclass overrides `snapshot()`: its snapshot is then the truth.
   */
  [LIVE_POINTS](visit: (point: KindPoints[K], index: number) => void): boolean {
    if (this.snapshot !== BuiltInMetric.prototype.snapshot) return false;
    this.store.forEachLive(visit);
    return true;
  }

  private reportOnce(
    code: 'invalid-value' | 'negative-increment' | 'cardinality-limit',
    message: string,
  ): void {
    if (this.reported.has(code)) return;
    this.reported.add(code);
    this.host?.report(new MetricsError(code, message));
  }
}

// Compiled beside handle (see specialize): a copy of it that fails means this file's source
// text cannot be compiled on its own here.
function canary(): string {
  return 'canary';
}

/** What makes metrics one family for {@link specialize}: the kind and the source of their functions. */
function familyKey(kind: string, functions: readonly unknown[]): string {
  let key = kind;
  for (const f of functions) {
    // Never throws for a callable (a Proxy's text is a native function's).
    key += `\0${typeof f === 'function' ? Function.prototype.toString.call(f) : ''}`;
  }
  return key;
}
