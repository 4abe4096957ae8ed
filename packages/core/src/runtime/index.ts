export { MetricsRuntime } from './metrics-runtime.js';
export type {
  CreateRecorderOptions,
  MetricsRuntimeOptions,
  RecorderListener,
} from './types.js';
