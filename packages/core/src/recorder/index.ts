export { copyChange } from './change-record.js';
export { MetricsRecorder } from './metrics-recorder.js';
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
} from './types.js';
export { DEFAULT_MAX_PENDING_EVENTS } from './validate-options.js';
