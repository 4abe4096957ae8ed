import type { MetricsError } from '../errors/index.js';
import type { EventSelector } from '../events/index.js';
import type { Attributes, MetricKind, MetricSnapshot } from '../snapshots/types.js';

/** What a recorder offers the metrics it owns: its name and a way to report bad input. */
export interface MetricHost {
  readonly recorderName: string;
  /** Hands a run-time problem to the error handler. Never throws. */
  report(error: MetricsError): void;
}

/**
 * What a metric is, known without taking a snapshot: what a bridge reads at wiring time.
 *
 * @example
 * readonly descriptor = { name: 'document.save.attempts', kind: 'counter', selector: DocumentSaveAttempt };
 */
export interface MetricDescriptor {
  readonly name: string;
  /** `false` when `name` is the full OpenTelemetry name (no namespace prefix); see `MetricOptions.namespace`. */
  readonly namespace?: false;
  readonly kind: MetricKind | (string & {});
  /** UCUM unit, e.g. `s`, `By`, `1`. */
  readonly unit?: string;
  readonly description?: string;
  /** Histograms: the explicit bucket upper bounds, strictly increasing. */
  readonly boundaries?: readonly number[];
  /** Exponential histograms: most buckets per sign (the scale drops to stay within). */
  readonly maxSize?: number;
  /** Exponential histograms: the highest scale, the one recording starts at. */
  readonly maxScale?: number;
  /**
   * The events the metric can accept (class, `type` string or predicate), read once when it joins
   * a recorder: the recorder then offers it only events a class or `type` selector accepts.
   * Absent, or a predicate: every event is offered.
   */
  readonly selector?: EventSelector;
}

/**
 * Filled in by a metric that accepted an event, when the recorder passes one: the point the event
 * changed and the value applied to it. The recorder hands both to the post-change hook.
 */
export interface MetricUpdate {
  /** The changed point's attributes (shared with the metric's state: never mutate). */
  attributes: Readonly<Attributes> | undefined;
  /** The increment, delta, gauge value or observation just applied. */
  value: number | undefined;
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
  /**
   * Optional (the built-ins have one): kind, unit, description and selector, read without a
   * snapshot. Without it, `describeMetric` derives kind, unit and description from one snapshot.
   */
  readonly descriptor?: MetricDescriptor;
  /**
   * `true` = accepted and state updated; `false` = ignored. Runs on the recorder's side. When the
   * recorder passes `update` (it does while a post-change hook listens), an accepting metric may
   * fill it in; the hook then carries the point and value without re-reading state.
   */
  handleEvent(event: object, update?: MetricUpdate): boolean;
  /** Current aggregated state as an immutable, JSON-serialisable copy. */
  snapshot(): S;
  /** Called once when the metric joins a recorder; lets it report bad input. */
  attach?(host: MetricHost): void;
}

// Event types are the user's; `any` lets `(e) => e.outcome` type-check for string selectors too.
// biome-ignore lint/suspicious/noExplicitAny: see above
export type AnyEvent = any;

/** Options shared by `counter`, `upDownCounter`, `gauge` and `histogram`. */
export interface MetricOptions<E extends object = AnyEvent> {
  name: string;
  /**
   * `false`: `name` is the metric's full OpenTelemetry name, exported without the runtime's
   * namespace prefix, for names the semantic conventions define exactly
   * (`http.server.request.duration`, Prometheus `http_server_request_duration_seconds`).
   * Default: the bridge exports `${namespace}.${name}`.
   */
  namespace?: false;
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

/**
 * Options of `exponentialHistogram`: {@link MetricOptions} plus the limits of OpenTelemetry's
 * base-2 exponential bucket histogram aggregation.
 */
export interface ExponentialHistogramOptions<E extends object = AnyEvent> extends MetricOptions<E> {
  /** Most buckets per sign, an integer from 2 to 16384 (default 160, OpenTelemetry's). */
  maxSize?: number;
  /** The highest scale, an integer from -10 to 20 (default 20, OpenTelemetry's). */
  maxScale?: number;
}
