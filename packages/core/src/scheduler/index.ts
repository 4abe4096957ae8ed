export type {
  ImmediateSchedulerOptions,
  Scheduler,
  SchedulerOption,
  SchedulerStats,
  SchedulerTask,
} from './scheduler.js';
export { createImmediateScheduler, createSyncScheduler } from './scheduler.js';
