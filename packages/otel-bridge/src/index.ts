export { attachOtelBridge } from './attach/attach-otel-bridge.js';
export type { BridgeTarget } from './attach/attachment.js';
export type { OtelBridge, OtelBridgeOptions } from './attach/types.js';
export type { OtelBridgeErrorCode } from './errors/otel-bridge-error.js';
export { OtelBridgeError } from './errors/otel-bridge-error.js';
export type { ExemplarFilterName } from './exemplars/types.js';
export type { EpochClock } from './internal/clock.js';
export type {
  MetricProducerOptions,
  TemporalitySource,
} from './producer/mvx-metric-producer.js';
export { createMetricProducer, MvxMetricProducer } from './producer/mvx-metric-producer.js';
export { CapturedContext } from './spans/context-capture.js';
export { METRICS_ATTRIBUTE } from './spans/event-spans.js';
export type { SelfInstrument } from './telemetry/self-telemetry.js';
export {
  NAMESPACE_ATTRIBUTE,
  RECORDER_CAPACITY,
  RECORDER_EVENTS,
  RECORDER_OUTCOMES,
  RECORDER_PENDING,
  RUNTIME_STATE,
  RUNTIME_STATES,
  SELF_TELEMETRY_SCOPE,
  STATE_ATTRIBUTE,
} from './telemetry/self-telemetry.js';
