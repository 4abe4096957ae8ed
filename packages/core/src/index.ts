export type {
  AttachWorkerOptions,
  ClusterLike,
  ClusterPrimaryOptions,
  ClusterPrimaryStats,
  ClusterRecorderOptions,
  ClusterRecorderStats,
  ClusterWorkerStats,
  IpcChannel,
  RecorderSource,
  WorkerProcess,
} from './cluster/index.js';
export {
  ClusterPrimary,
  ClusterRecorder,
  connectToPrimary,
  createClusterPrimary,
} from './cluster/index.js';
export { describeError } from './errors/describe-error.js';
export type { ErrorHandler, MetricsErrorCode } from './errors/index.js';
export { defaultErrorHandler, MetricsError, MetricsWiringError } from './errors/index.js';
export type { EventClass, EventPredicate, EventSelector } from './events/index.js';
export { describeEvent, MetricEvent } from './events/index.js';
export type {
  AnyEvent,
  ExponentialHistogramOptions,
  HistogramOptions,
  Metric,
  MetricDescriptor,
  MetricHost,
  MetricOptions,
  MetricUpdate,
} from './metrics/index.js';
export {
  assertValidMetricName,
  bucketIndex,
  counter,
  DEFAULT_BUCKETS,
  DEFAULT_SECONDS_BUCKETS,
  describeMetric,
  exponentialHistogram,
  gauge,
  histogram,
  isValidMetricName,
  normalizeAttributes,
  normalizeAttributeValue,
  upDownCounter,
} from './metrics/index.js';
export type {
  BatchListener,
  ChangeListener,
  ChangeListenerOptions,
  ContextCapture,
  MetricChange,
  OverflowPolicy,
  RecorderOptions,
  RecorderState,
  RecorderStats,
  RecorderView,
  UnhandledEventsPolicy,
} from './recorder/index.js';
export { copyChange, DEFAULT_MAX_PENDING_EVENTS, MetricsRecorder } from './recorder/index.js';
export type {
  CreateRecorderOptions,
  MetricsRuntimeOptions,
  RecorderListener,
  RuntimeState,
  ShutdownOptions,
  StateListener,
} from './runtime/index.js';
export { MetricsRuntime } from './runtime/index.js';
export type {
  ImmediateSchedulerOptions,
  Scheduler,
  SchedulerOption,
  SchedulerStats,
  SchedulerTask,
  SyncSchedulerOptions,
} from './scheduler/index.js';
export { createImmediateScheduler, createSyncScheduler } from './scheduler/index.js';
export type {
  Attributes,
  AttributeValue,
  ExponentialBuckets,
  ExponentialHistogramPoint,
  HistogramPoint,
  KindPoints,
  MetricKind,
  MetricSnapshot,
  NumberPoint,
  SnapshotPoint,
} from './snapshots/index.js';
export { attributesEqual, attributesMatch, findPoint, findSnapshot } from './snapshots/index.js';
export type {
  ConnectRecorderOptions,
  ExposedRecorderStats,
  ExposeRecorderOptions,
  RecorderHandle,
  RecorderHandleOptions,
  WorkerRecorderStats,
} from './workers/index.js';
export {
  connectRecorder,
  createExposedRecorder,
  ExposedRecorder,
  WorkerRecorder,
} from './workers/index.js';
