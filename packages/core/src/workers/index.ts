export { connectRecorder } from './connect-recorder.js';
export { ExposedRecorder, exposeRecorder } from './exposed-recorder.js';
export type {
  ConnectRecorderOptions,
  ExposedRecorderStats,
  ExposeRecorderOptions,
  RecorderHandle,
  RecorderHandleOptions,
  WorkerRecorderStats,
} from './types.js';
export { WorkerRecorder } from './worker-recorder.js';
