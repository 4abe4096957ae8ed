import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import type { PipelineEnvironment } from './environment.js';

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
type SamplerName = (typeof SAMPLERS)[number];

/**
 * The sampler `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` name, built from the trace
 * SDK's own samplers as NodeSDK does; default parent-based always-on. An explicit option wins.
 */
export function samplerFromEnv(env: PipelineEnvironment): Sampler {
  const name: SamplerName = env.choice('OTEL_TRACES_SAMPLER', SAMPLERS, 'parentbased_always_on');
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio(env));
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio(env)) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

// The argument is read only by the ratio samplers; the specification's default ratio is 1.
function ratio(env: PipelineEnvironment): number {
  return env.ranged('OTEL_TRACES_SAMPLER_ARG', 0, 1, 1);
}
