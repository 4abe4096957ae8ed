import { MetricsError, MetricsWiringError } from '../errors/index.js';
import type { EventSelector } from '../events/index.js';
import { isInstance, splitSelector } from '../events/selector.js';
import { describeValue, NORMALIZED_SNAPSHOT } from '../internal/attributes.js';
import { PointStore } from '../internal/point-store.js';
import type { Attributes, MetricSnapshot, SnapshotPoint } from '../snapshots/types.js';
import type {
  AnyEvent,
  Metric,
  MetricDescriptor,
  MetricHost,
  MetricOptions,
  MetricUpdate,
} from './types.js';
import { type CheckedMetricOptions, checkMetricOptions } from './validate-options.js';

/** Shared machinery of the built-in metrics: selection, points, bad-value accounting. */
export abstract class BuiltInMetric<P extends SnapshotPoint> implements Metric<MetricSnapshot<P>> {
  readonly name: string;
  abstract readonly kind: string;
  protected readonly selects: (event: object) => boolean;
  // `selects` taken apart, so the common selectors cost no closure call per event.
  private readonly selectClass: Function | undefined;
  private readonly selectType: string | undefined;
  protected readonly attributesOf:
    | ((event: AnyEvent) => Readonly<Record<string, unknown>>)
    | undefined;
  protected readonly valueOf: ((event: AnyEvent) => number) | undefined;
  protected readonly store: PointStore<P & { attributes: Attributes }>;
  private readonly selector: EventSelector;
  private readonly description: string | undefined;
  private readonly unit: string | undefined;
  private described: MetricDescriptor | undefined;
  private readonly cardinalityLimit: number;
  private host: MetricHost | undefined;
  private droppedValues = 0;
  private readonly reported = new Set<string>();
  /** The options after the wiring-time checks (a concrete kind reads its own from here). */
  protected readonly checked: CheckedMetricOptions;

  constructor(raw: MetricOptions, requiresValue: boolean) {
    const options = checkMetricOptions(raw, requiresValue);
    this.name = options.name;
    this.selector = options.on;
    const selector = splitSelector(options.on);
    this.selects = selector.test;
    this.selectClass = selector.cls;
    this.selectType = selector.type;
    const limit = options.cardinalityLimit;
    this.cardinalityLimit = limit;
    this.attributesOf = options.attributes;
    this.valueOf = options.value;
    this.description = options.description;
    this.unit = options.unit;
    this.checked = options;
    this.store = new PointStore(
      (attributes) => this.createPoint(attributes),
      limit,
      this.attributesOf !== undefined,
      () =>
        this.reportOnce(
          'cardinality-limit',
          `Metric "${this.name}" in recorder "${this.host?.recorderName ?? '?'}" reached its cardinality limit of ${limit}; new attribute sets go to the point {otel.metric.overflow=true}.`,
        ),
    );
  }

  /** Kind, unit, description and selector, fixed at definition. */
  get descriptor(): MetricDescriptor {
    this.described ??= Object.freeze(this.describe());
    return this.described;
  }

  /** The descriptor's fields; a kind with more to declare (histogram boundaries) extends it. */
  protected describe(): { -readonly [K in keyof MetricDescriptor]: MetricDescriptor[K] } {
    const descriptor: { -readonly [K in keyof MetricDescriptor]: MetricDescriptor[K] } = {
      name: this.name,
      kind: this.kind,
      selector: this.selector,
    };
    if (this.unit !== undefined) descriptor.unit = this.unit;
    if (this.description !== undefined) descriptor.description = this.description;
    return descriptor;
  }

  /** Creates the `initial` points; concrete constructors call it once their own fields are set. */
  protected seed(): void {
    const initial = this.checked.initial;
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
    if (this.selectClass !== undefined) {
      if (!isInstance(this.selectClass, event)) return false;
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
      const problem = this.checkValue(value);
      if (problem !== undefined) {
        this.droppedValues++;
        this.reportOnce(
          problem[0],
          `Metric "${this.name}" in recorder "${this.host?.recorderName ?? '?'}" dropped value ${describeValue(value)}: ${problem[1]}.`,
        );
        return false;
      }
    }
    const point = this.store.get(
      this.attributesOf === undefined ? undefined : this.attributesOf(event),
    );
    if (!this.apply(point, value as number)) {
      // Adding it would leave the state at ±Infinity for good: refused and counted like NaN.
      this.droppedValues++;
      this.reportOnce(
        'invalid-value',
        `Metric "${this.name}" in recorder "${this.host?.recorderName ?? '?'}" dropped value ${describeValue(value)}: adding it would overflow to a non-finite ${this.kind === 'histogram' ? 'sum' : 'value'}.`,
      );
      return false;
    }
    if (update !== undefined) {
      update.attributes = point.attributes;
      update.value = value as number;
    }
    return true;
  }

  snapshot(): MetricSnapshot<P> {
    const snapshot: MetricSnapshot<P> = {
      name: this.name,
      kind: this.kind,
      points: this.store.points().map((point) => this.copyPoint(point)),
      dropped: this.droppedValues,
    };
    if (this.description !== undefined) snapshot.description = this.description;
    if (this.unit !== undefined) snapshot.unit = this.unit;
    // Its points are distinct and normalised already: a bridge need not normalise them again.
    Object.defineProperty(snapshot, NORMALIZED_SNAPSHOT, { value: true });
    return snapshot;
  }

  /** `[code, reason]` when `value` must not reach the state. */
  protected checkValue(
    value: unknown,
  ): ['invalid-value' | 'negative-increment', string] | undefined {
    if (typeof value !== 'number')
      return ['invalid-value', `expected a number, got ${typeof value}`];
    if (!Number.isFinite(value)) return ['invalid-value', 'not a finite number'];
    return undefined;
  }

  protected abstract createPoint(attributes: Attributes): P;
  /** Applies `value` to `point`; `false` (state untouched) when the result would not be finite. */
  protected abstract apply(point: P, value: number): boolean;
  protected abstract copyPoint(point: P): P;

  private reportOnce(
    code: 'invalid-value' | 'negative-increment' | 'cardinality-limit',
    message: string,
  ): void {
    if (this.reported.has(code)) return;
    this.reported.add(code);
    this.host?.report(new MetricsError(code, message));
  }
}
