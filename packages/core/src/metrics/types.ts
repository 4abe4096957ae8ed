import type { MetricsError } from '../errors/index.js';
import type { EventSelector } from '../events/index.js';
import type { Attributes, MetricSnapshot } from '../snapshots/types.js';

/** What a recorder offers the metrics it owns: its name and a way to report bad input. */
export interface MetricHost {
  readonly recorderName: string;
  /** Hands a run-time problem to the error handler. Never throws. */
  report(error: MetricsError): void;
}

/**
 * A metric: decides whether an event concerns it and owns its aggregated state.
 *
 * @example
 * class SaveAttempts implements Metric {
 *   readonly name = 'document.save.attempts';
 *   #total = 0;
 *   handleEvent(event: object) {
 *     if (!(event instanceof DocumentSaveAttempt)) return false;
 *     this.#total++;
 *     return true;
 *   }
 *   snapshot() {
 *     return { name: this.name, kind: 'counter', points: [{ attributes: {}, value: this.#total }] };
 *   }
 * }
 */
export interface Metric<S extends MetricSnapshot = MetricSnapshot> {
  /** OpenTelemetry instrument-name syntax: a letter, then up to 254 of `A-Za-z0-9_.-/`. */
  readonly name: string;
  /** `true` = accepted and state updated; `false` = ignored. Runs on the recorder's side. */
  handleEvent(event: object): boolean;
  /** Current aggregated state as an immutable, JSON-serialisable copy. */
  snapshot(): S;
  /** Called once when the metric joins a recorder; lets it report bad input. */
  attach?(host: MetricHost): void;
  /**
   * Optional (the built-ins provide it): the value of the last accepted event. Valid while the
   * post-change hook runs, so a bridge can forward an observation without re-reading state.
   */
  readonly lastValue?: number;
  /** Optional (the built-ins provide it): the attributes of the point the last accepted event updated. */
  readonly lastAttributes?: Attributes;
}

// Event types are the user's; `any` lets `(e) => e.outcome` type-check for string selectors too.
// biome-ignore lint/suspicious/noExplicitAny: see above
export type AnyEvent = any;

/** Options shared by `counter`, `upDownCounter`, `gauge` and `histogram`. */
export interface MetricOptions<E extends object = AnyEvent> {
  name: string;
  description?: string;
  /** UCUM unit, e.g. `s`, `By`, `1`. Durations belong in seconds. */
  unit?: string;
  /** Which events the metric accepts: a class (subclasses too), a `type` string, or a predicate. */
  on: EventSelector<E>;
  /** The point an accepted event updates. Values are normalised to strings; `undefined`, `null` or a non-object means no attributes. */
  attributes?: (event: E) => Readonly<Record<string, unknown>>;
  /** counter: increment (default 1); upDownCounter: delta (default 1); gauge: value; histogram: observation. */
  value?: (event: E) => number;
  /** Points that exist at zero from the start, so dashboards show 0 rather than no data. */
  initial?: Attributes[];
  /** Distinct attribute sets kept, the overflow point included (default 2000). */
  cardinalityLimit?: number;
}

/** Options of `histogram`: {@link MetricOptions} plus bucket boundaries. */
export interface HistogramOptions<E extends object = AnyEvent> extends MetricOptions<E> {
  /** Strictly increasing finite upper bounds. Default: seconds buckets when `unit` is `s`, else OpenTelemetry's. */
  buckets?: number[];
}
