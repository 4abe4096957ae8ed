import type { RuntimeState } from '@mvx-metrics/core';
import type { ExemplarFilterName } from '../exemplars/types.js';
import type { MvxMetricProducer } from './mvx-metric-producer.js';

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

/**
 * What a pipeline hands the bridges attached to it: the producer its readers include (a bridge
 * attached with the pipeline's `meterProvider` feeds it instead of adding instruments, so nothing
 * is exported twice), the exemplar filter the pipeline resolved (option, else
 * `OTEL_METRICS_EXEMPLAR_FILTER`), and its health.
 */
export interface PipelineLink {
  readonly producer: MvxMetricProducer;
  readonly exemplarFilter: ExemplarFilterName;
  readonly health: HealthLink;
}

// The link travels on the objects a pipeline returns, not in a table of this module: a bridge
// reads it from the provider or producer it is given. Not enumerable, not writable, and out of
// the public types.
const LINK = Symbol('@mvx-metrics/otel-bridge.pipeline-link');

interface Linked {
  readonly [LINK]?: PipelineLink;
}

/** Makes a pipeline's `meterProvider` and `metricProducer` carry `link` to the bridges given them. */
export function carryPipelineLink(link: PipelineLink, ...holders: object[]): void {
  for (const holder of holders) Object.defineProperty(holder, LINK, { value: link });
}

/** The link of the pipeline `holder` (a MeterProvider or a producer) comes from, if it does. */
export function pipelineLinkOf(holder: object): PipelineLink | undefined {
  try {
    return (holder as Linked)[LINK];
  } catch {
    return undefined; // a user's provider behind a Proxy that throws on reads: not a pipeline's
  }
}
