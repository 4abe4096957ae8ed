import { MetricsWiringError } from '@mvx-metrics/core';
import type {
  CollectionResult,
  MetricCollectOptions,
  MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { defaultEpochClock, type EpochClock, hrNow } from '../internal/clock.js';
import { EMPTY_RESOURCE } from '../internal/empty-resource.js';
import { optionalClock, optionsObject } from '../internal/option-checks.js';
import { CollectionBuilder } from './collection-builder.js';

/** An attachment as the producer sees it: brings its state up to date, then adds it to a collection. */
export interface ProducerFeed {
  collectInto(builder: CollectionBuilder): void;
}

/** Options of {@link createMetricProducer}. */
export interface MetricProducerOptions {
  /** Epoch milliseconds for data point timestamps (default: `performance.timeOrigin + performance.now()`). */
  clock?: EpochClock;
}

const FEEDS = new WeakMap<MvxMetricProducer, Set<ProducerFeed>>();

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

  constructor(options?: MetricProducerOptions) {
    const owner = 'createMetricProducer';
    this.clock = optionalClock(owner, optionsObject(owner, options)) ?? defaultEpochClock;
    FEEDS.set(this, new Set());
  }

  /** Processes pending events of every attached runtime, then returns their state as cumulative data. */
  collect(_options?: MetricCollectOptions): Promise<CollectionResult> {
    try {
      return Promise.resolve(this.collectNow());
    } catch (error) {
      return Promise.resolve({
        resourceMetrics: { resource: EMPTY_RESOURCE, scopeMetrics: [] },
        errors: [error],
      });
    }
  }

  /** Synchronous form of {@link MvxMetricProducer.collect}. */
  collectNow(): CollectionResult {
    const builder = new CollectionBuilder(hrNow(this.clock));
    for (const feed of FEEDS.get(this) ?? []) {
      try {
        feed.collectInto(builder);
      } catch (error) {
        builder.errors.push(error);
      }
    }
    return {
      // Readers keep their own resource and only take the scope metrics of producers.
      resourceMetrics: { resource: EMPTY_RESOURCE, scopeMetrics: builder.scopeMetrics() },
      errors: builder.errors,
    };
  }
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
