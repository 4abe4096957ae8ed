export { connectRecorder } from './connect-recorder.js';
export { createExposedRecorder, ExposedRecorder } from './exposed-recorder.js';
export type {
  ConnectRecorderOptions,
  ExposedRecorderStats,
  ExposeRecorderOptions,
  RecorderHandle,
  RecorderHandleOptions,
  WorkerRecorderStats,
} from './types.js';
export { WorkerRecorder } from './worker-recorder.js';
