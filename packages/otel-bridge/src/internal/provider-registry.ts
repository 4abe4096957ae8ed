import type { MeterProvider } from '@opentelemetry/api';
import type { ExemplarFilterName } from '../exemplars/types.js';
import type { MvxMetricProducer } from '../producer/mvx-metric-producer.js';

/** What a pipeline's provider brings: the producer its readers include, its exemplar filter. */
interface PipelineWiring {
  readonly producer: MvxMetricProducer;
  readonly exemplarFilter: ExemplarFilterName;
}

// Providers built by createOtelPipeline, each with the producer its readers already include:
// attaching to such a provider feeds the producer instead of adding instruments (no double export),
// with the exemplar filter the pipeline resolved (option, else OTEL_METRICS_EXEMPLAR_FILTER).
const PIPELINES = new WeakMap<MeterProvider, PipelineWiring>();

/** Records that `provider`'s readers include `producer`, and the pipeline's exemplar filter. */
export function registerPipelineProducer(
  provider: MeterProvider,
  producer: MvxMetricProducer,
  exemplarFilter: ExemplarFilterName = 'trace_based',
): void {
  PIPELINES.set(provider, { producer, exemplarFilter });
}

/** The producer wired into `provider`'s readers, if `provider` comes from createOtelPipeline. */
export function pipelineProducerOf(provider: MeterProvider): MvxMetricProducer | undefined {
  return PIPELINES.get(provider)?.producer;
}

/** The exemplar filter of the pipeline `provider` comes from, if it does. */
export function pipelineExemplarFilterOf(provider: MeterProvider): ExemplarFilterName | undefined {
  return PIPELINES.get(provider)?.exemplarFilter;
}
