export type {
  IdleTask,
  ImmediateSchedulerOptions,
  Scheduler,
  SchedulerOption,
  SchedulerStats,
  SchedulerTask,
  SyncSchedulerOptions,
} from './scheduler.js';
export { createImmediateScheduler, createSyncScheduler } from './scheduler.js';
