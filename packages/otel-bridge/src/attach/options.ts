import type { ErrorHandler } from '@mvx-metrics/core';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import { isExemplarFilter } from '../exemplars/exemplar-filter.js';
import type { ExemplarFilterName } from '../exemplars/types.js';
import type { EpochClock } from '../internal/clock.js';
import {
  IS,
  optional,
  optionalClock,
  optionalWith,
  optionError,
  optionsObject,
  readOption,
  shown,
} from '../internal/option-checks.js';
import { MvxMetricProducer } from '../producer/mvx-metric-producer.js';
import type { OtelBridgeOptions } from './types.js';

const OWNER = 'attachOtelBridge';

/** The options of {@link attachOtelBridge} after the wiring-time checks, each read once. */
export interface CheckedBridgeOptions {
  readonly meterProvider: MeterProvider | undefined;
  readonly metricProducer: MvxMetricProducer | undefined;
  readonly tracerProvider: TracerProvider | undefined;
  readonly spans: boolean | undefined;
  readonly recorderAttribute: unknown;
  readonly selfTelemetry: boolean | undefined;
  readonly captureContext: boolean | undefined;
  readonly namespace: unknown;
  readonly onError: ErrorHandler | undefined;
  readonly clock: EpochClock | undefined;
  readonly exemplarFilter: ExemplarFilterName | undefined;
}

/** Checks every option of `attachOtelBridge`; a mistake throws a MetricsWiringError naming it. */
export function checkBridgeOptions(raw: OtelBridgeOptions | undefined): CheckedBridgeOptions {
  const options = optionsObject(OWNER, raw);
  return {
    meterProvider: optionalWith<MeterProvider>(OWNER, options, 'meterProvider', 'getMeter'),
    metricProducer: producerOption(options),
    tracerProvider: optionalWith<TracerProvider>(OWNER, options, 'tracerProvider', 'getTracer'),
    spans: optional<boolean>(OWNER, options, 'spans', IS.boolean),
    recorderAttribute: readOption(OWNER, options, 'recorderAttribute'),
    selfTelemetry: optional<boolean>(OWNER, options, 'selfTelemetry', IS.boolean),
    captureContext: optional<boolean>(OWNER, options, 'captureContext', IS.boolean),
    namespace: readOption(OWNER, options, 'namespace'),
    onError: optional<ErrorHandler>(OWNER, options, 'onError', IS.function),
    clock: optionalClock(OWNER, options),
    exemplarFilter: exemplarFilterOption(options),
  };
}

function exemplarFilterOption(options: object): ExemplarFilterName | undefined {
  const value = readOption(OWNER, options, 'exemplarFilter');
  if (value === undefined || isExemplarFilter(value)) return value;
  return optionError(
    OWNER,
    `option \`exemplarFilter\` must be 'trace_based', 'always_on' or 'always_off', got ${shown(value)}.`,
  );
}

// The bridge feeds its own producer class only (createMetricProducer or a pipeline's).
function producerOption(options: object): MvxMetricProducer | undefined {
  const value = readOption(OWNER, options, 'metricProducer');
  if (value === undefined) return undefined;
  let ours = false;
  try {
    ours = value instanceof MvxMetricProducer;
  } catch {
    ours = false;
  }
  if (ours) return value as MvxMetricProducer;
  return optionError(
    OWNER,
    `option \`metricProducer\` must come from createMetricProducer() or a pipeline's metricProducer, got ${shown(value)}.`,
  );
}
