export type {
  CreateRecorderOptions,
  MetricsRuntimeOptions,
  RecorderListener,
} from './metrics-runtime.js';
export { MetricsRuntime } from './metrics-runtime.js';
