export { MetricsRuntime } from './metrics-runtime.js';
export type {
  CreateRecorderOptions,
  MetricsRuntimeOptions,
  RecorderListener,
  RuntimeState,
  ShutdownOptions,
  StateListener,
} from './types.js';
