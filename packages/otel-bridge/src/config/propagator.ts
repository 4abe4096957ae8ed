import type { TextMapPropagator } from '@opentelemetry/api';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { optionalImport } from '../internal/optional-import.js';
import { type PipelineEnvironment, withoutNames } from './environment.js';

const KNOWN = ['tracecontext', 'baggage', 'b3', 'b3multi', 'none'];

/**
 * The propagator `OTEL_PROPAGATORS` names (default `tracecontext,baggage`, as NodeSDK), from
 * OpenTelemetry's own packages; `@opentelemetry/propagator-b3` is loaded only when named.
 */
export async function propagatorFromEnv(env: PipelineEnvironment): Promise<TextMapPropagator> {
  const names = env.list('OTEL_PROPAGATORS') ?? ['tracecontext', 'baggage'];
  const raw = env.string('OTEL_PROPAGATORS') ?? '';
  if (names.includes('none')) return new CompositePropagator({ propagators: [] });
  const propagators: TextMapPropagator[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    if (name === 'tracecontext') propagators.push(new W3CTraceContextPropagator());
    else if (name === 'baggage') propagators.push(new W3CBaggagePropagator());
    else if (name === 'b3' || name === 'b3multi') {
      const { B3InjectEncoding, B3Propagator } = await optionalImport(
        () => import('@opentelemetry/propagator-b3'),
        '@opentelemetry/propagator-b3',
        `OTEL_PROPAGATORS=${raw}`,
      );
      const injectEncoding =
        name === 'b3' ? B3InjectEncoding.SINGLE_HEADER : B3InjectEncoding.MULTI_HEADER;
      propagators.push(new B3Propagator({ injectEncoding }));
    } else {
      unknown.push(name);
    }
  }
  // One report for the value, naming every unknown name (a second report of it would be dropped).
  if (unknown.length > 0) {
    env.invalid('OTEL_PROPAGATORS', raw, `a list of ${KNOWN.join(', ')}`, withoutNames(unknown));
  }
  return propagators.length === 1
    ? (propagators[0] as TextMapPropagator)
    : new CompositePropagator({ propagators });
}
