// Entry point `@mvx-metrics/core/worker`: what code inside a worker thread needs, and nothing of
// the runtime or the metrics.
export type {
  ConnectRecorderOptions,
  RecorderHandle,
  WorkerRecorderStats,
} from './types.js';
export { connectRecorder, WorkerRecorder } from './worker-recorder.js';
