export type {
  CreateRecorderOptions,
  MetricsRuntimeOptions,
  RecorderListener,
} from './metrics-runtime.js';
export { MetricsRuntime } from './metrics-runtime.js';
export type {
  ImmediateSchedulerOptions,
  Scheduler,
  SchedulerOption,
  SchedulerStats,
  SchedulerTask,
  SyncSchedulerOptions,
} from './scheduler.js';
export { createImmediateScheduler, createSyncScheduler } from './scheduler.js';
