import type { RuntimeState } from '@mvx-metrics/core';
import type { MvxMetricProducer } from '../producer/mvx-metric-producer.js';

/** What a health check reads of one bridged runtime (or recorder): a name and its state now. */
export interface HealthTarget {
  /** E.g. `runtime "docs"`, for the reasons a probe gives. */
  readonly label: string;
  readonly namespace: string;
  state(): RuntimeState;
}

/**
 * What a bridge attached to a pipeline's producer tells that pipeline: which runtimes it mirrors
 * (the probes read their states), the final export it runs when one reaches a terminal state
 * (the pipeline's `shutdown()` waits for it), and how to export now.
 */
export interface HealthLink {
  /** Adds `target` to what the probes read; returns the removal. */
  track(target: HealthTarget): () => void;
  /** Work `shutdown()` waits for (bounded by its timeout) before the providers shut down. */
  hold(work: Promise<unknown>): void;
  /** Collects and exports through every push reader of the pipeline now. */
  flush(): Promise<void>;
}

// Pipelines by the producer their readers include: a bridge attached with the pipeline's
// meterProvider or its metricProducer finds its pipeline here.
const LINKS = new WeakMap<MvxMetricProducer, HealthLink>();

/** Records that `producer` belongs to the pipeline behind `link`. */
export function linkPipelineHealth(producer: MvxMetricProducer, link: HealthLink): void {
  LINKS.set(producer, link);
}

/** The pipeline `producer` belongs to, if it comes from createOtelPipeline. */
export function pipelineHealthOf(producer: MvxMetricProducer): HealthLink | undefined {
  return LINKS.get(producer);
}
