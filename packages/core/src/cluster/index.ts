export type { ClusterLike, RecorderSource, WorkerProcess } from './cluster-primary.js';
export { ClusterPrimary, createClusterPrimary } from './cluster-primary.js';
export { ClusterRecorder } from './cluster-recorder.js';
export { connectToPrimary } from './connect-to-primary.js';
export type { IpcChannel } from './protocol.js';
export type {
  AttachWorkerOptions,
  ClusterPrimaryOptions,
  ClusterPrimaryStats,
  ClusterRecorderOptions,
  ClusterRecorderStats,
  ClusterWorkerStats,
} from './types.js';
