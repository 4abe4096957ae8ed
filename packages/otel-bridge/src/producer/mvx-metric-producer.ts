import { MetricsWiringError } from '@mvx-metrics/core';
import {
  AggregationTemporality,
  type AggregationTemporalitySelector,
  type CollectionResult,
  type InstrumentType,
  type MetricCollectOptions,
  type MetricProducer,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { defaultEpochClock, type EpochClock, hrNow } from '../internal/clock.js';
import { EMPTY_RESOURCE } from '../internal/empty-resource.js';
import {
  optionalClock,
  optionError,
  optionsObject,
  readOption,
  shown,
} from '../internal/option-checks.js';
import { applyViews, ViewProblems } from '../views/apply-views.js';
import { ReaderTemporality } from '../views/reader-temporality.js';
import { compileViews, type StreamView } from '../views/view-options.js';
import { CollectionBuilder } from './collection-builder.js';

/** An attachment as the producer sees it: brings its state up to date, then adds it to a collection. */
export interface ProducerFeed {
  collectInto(builder: CollectionBuilder): void;
}

/** Options of {@link createMetricProducer}. */
export interface MetricProducerOptions {
  /** Epoch milliseconds for data point timestamps (default: `performance.timeOrigin + performance.now()`). */
  clock?: EpochClock;
  /**
   * sdk-metrics Views, applied to the mirrored series as sdk-metrics applies them to its own
   * instruments: `name`, `description`, `attributesProcessors` (points that end up with one
   * attribute set merged: sums added, histograms merged), a drop aggregation,
   * `aggregationCardinalityLimit` (the rest in the `otel.metric.overflow` series), and the
   * histogram options cumulative state can take (boundaries that are a subset of the metric's,
   * a smaller exponential `maxSize`, `recordMinMax: false`). Selection by `instrumentType` sees
   * the synchronous instrument of the metric's kind (COUNTER, UP_DOWN_COUNTER, GAUGE, HISTOGRAM);
   * `meterName` is the runtime's namespace. See docs/wiring-the-bridge.md for what cannot apply.
   */
  views?: ViewOptions[];
}

/**
 * Where a reader's temporality comes from: a selector, or the reader or push exporter itself
 * (its `selectAggregationTemporality`; none: cumulative, as sdk-metrics' readers default).
 */
export type TemporalitySource =
  | AggregationTemporalitySelector
  | { selectAggregationTemporality?(instrumentType: InstrumentType): AggregationTemporality };

const FEEDS = new WeakMap<MvxMetricProducer, Set<ProducerFeed>>();
/** Where a pipeline wants its producer's View problems (else they are collection errors). */
const VIEW_REPORTS = new WeakMap<MvxMetricProducer, (error: unknown) => void>();

/**
 * An sdk-metrics `MetricProducer` that builds metric data from the bridge's mirror at each
 * collection: exact for every kind, state from before attach included, removed recorders gone.
 * Pass it to a reader's `metricProducers`, then attach the bridge with `{ metricProducer }`.
 *
 * @example
 * const metricProducer = createMetricProducer();
 * const reader = new PeriodicExportingMetricReader({ exporter, metricProducers: [metricProducer] });
 * attachOtelBridge(runtime, { metricProducer });
 */
export class MvxMetricProducer implements MetricProducer {
  private readonly clock: EpochClock;
  private readonly views: readonly StreamView[];
  private readonly viewProblems = new ViewProblems();

  constructor(options?: MetricProducerOptions) {
    const owner = 'createMetricProducer';
    const checked = optionsObject(owner, options);
    this.clock = optionalClock(owner, checked) ?? defaultEpochClock;
    this.views = compileViews(owner, readOption(owner, checked, 'views'));
    FEEDS.set(this, new Set());
  }

  /** Processes pending events of every attached runtime, then returns their state as cumulative data (Views applied). */
  collect(_options?: MetricCollectOptions): Promise<CollectionResult> {
    return settle(() => this.collectNow());
  }

  /** Synchronous form of {@link MvxMetricProducer.collect}. */
  collectNow(): CollectionResult {
    return this.collectFor(undefined);
  }

  /**
   * A producer for one reader: the same data in the temporality the reader asks for
   * (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` through an OTLP exporter's selector, or
   * any selector), with delta state of its own. sdk-metrics does not tell a producer which reader
   * collects, so give each reader its own: `metricProducers: [producer.forReader(exporter)]`.
   *
   * @example
   * const exporter = new OTLPMetricExporter({ temporalityPreference: AggregationTemporality.DELTA });
   * const reader = new PeriodicExportingMetricReader({
   *   exporter,
   *   metricProducers: [metricProducer.forReader(exporter)],
   * });
   */
  forReader(source: TemporalitySource): MetricProducer {
    const select = selectorOf(source);
    const temporality = new ReaderTemporality(select);
    return { collect: () => settle(() => this.collectFor(temporality)) };
  }

  private collectFor(temporality: ReaderTemporality | undefined): CollectionResult {
    const endTime = hrNow(this.clock);
    const builder = new CollectionBuilder(endTime);
    for (const feed of FEEDS.get(this) ?? []) {
      try {
        feed.collectInto(builder);
      } catch (error) {
        builder.errors.push(error);
      }
    }
    let scopeMetrics = builder.scopeMetrics();
    const errors = builder.errors;
    // No View and a cumulative reader: the builder's data as it is, nothing copied.
    if (this.views.length > 0) {
      scopeMetrics = applyViews(scopeMetrics, this.views, this.viewProblems);
      const report = VIEW_REPORTS.get(this);
      for (const problem of this.viewProblems.take()) {
        if (report === undefined) errors.push(problem);
        else report(problem);
      }
    }
    if (temporality !== undefined) scopeMetrics = temporality.apply(scopeMetrics, endTime);
    // Readers keep their own resource and only take the scope metrics of producers.
    return { resourceMetrics: { resource: EMPTY_RESOURCE, scopeMetrics }, errors };
  }
}

function settle(collect: () => CollectionResult): Promise<CollectionResult> {
  try {
    return Promise.resolve(collect());
  } catch (error) {
    return Promise.resolve({
      resourceMetrics: { resource: EMPTY_RESOURCE, scopeMetrics: [] },
      errors: [error],
    });
  }
}

const CUMULATIVE_ONLY: AggregationTemporalitySelector = () => AggregationTemporality.CUMULATIVE;

function selectorOf(source: TemporalitySource): AggregationTemporalitySelector {
  if (typeof source === 'function') return source;
  if (source === null || typeof source !== 'object') {
    optionError(
      'forReader',
      `the reader's temporality must be an aggregation temporality selector, a reader or a push exporter, got ${shown(source)}.`,
    );
  }
  const select = source.selectAggregationTemporality;
  if (select === undefined) return CUMULATIVE_ONLY;
  if (typeof select !== 'function') {
    optionError(
      'forReader',
      `selectAggregationTemporality must be a function, got ${shown(select)}.`,
    );
  }
  return (type) => select.call(source, type);
}

/**
 * Creates a producer to give your own readers (OTel NodeSDK users), before attaching the bridge.
 *
 * @example
 * const metricProducer = createMetricProducer();
 * const sdk = new NodeSDK({ metricReader: new PrometheusExporter({ metricProducers: [metricProducer] }) });
 * attachOtelBridge(runtime, { metricProducer });
 */
export function createMetricProducer(options?: MetricProducerOptions): MvxMetricProducer {
  return new MvxMetricProducer(options);
}

/** Sends a producer's View problems to `report` (a pipeline's onError). Internal to the bridge. */
export function reportViewProblems(
  producer: MvxMetricProducer,
  report: (error: unknown) => void,
): void {
  VIEW_REPORTS.set(producer, report);
}

/** Connects a feed to a producer; returns the disconnect function. Internal to the bridge. */
export function addProducerFeed(producer: MvxMetricProducer, feed: ProducerFeed): () => void {
  const feeds = FEEDS.get(producer);
  if (feeds === undefined) {
    throw new MetricsWiringError(
      'invalid-option',
      'attachOtelBridge: metricProducer must come from createMetricProducer() or a pipeline.',
    );
  }
  feeds.add(feed);
  return () => {
    feeds.delete(feed);
  };
}
