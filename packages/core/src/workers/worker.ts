// Entry point `@mvx-metrics/core/worker`: what code inside a worker thread needs, and nothing of
// the runtime or the metrics.

export { connectRecorder } from './connect-recorder.js';
export type {
  ConnectRecorderOptions,
  RecorderHandle,
  WorkerRecorderStats,
} from './types.js';
export { WorkerRecorder } from './worker-recorder.js';
