// Entry point `@mvx-metrics/core/cluster`: what code in a worker process needs, and nothing of
// the runtime or the metrics.

export { ClusterRecorder } from './cluster-recorder.js';
export { connectToPrimary } from './connect-to-primary.js';
export type { IpcChannel } from './protocol.js';
export type { ClusterRecorderOptions, ClusterRecorderStats } from './types.js';
