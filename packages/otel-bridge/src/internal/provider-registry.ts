import type { MeterProvider } from '@opentelemetry/api';
import type { MvxMetricProducer } from '../producer/mvx-metric-producer.js';

// Providers built by createOtelPipeline, each with the producer its readers already include:
// attaching to such a provider feeds the producer instead of adding instruments (no double export).
const PIPELINE_PRODUCERS = new WeakMap<MeterProvider, MvxMetricProducer>();

/** Records that `provider`'s readers include `producer`. */
export function registerPipelineProducer(
  provider: MeterProvider,
  producer: MvxMetricProducer,
): void {
  PIPELINE_PRODUCERS.set(provider, producer);
}

/** The producer wired into `provider`'s readers, if `provider` comes from createOtelPipeline. */
export function pipelineProducerOf(provider: MeterProvider): MvxMetricProducer | undefined {
  return PIPELINE_PRODUCERS.get(provider);
}
