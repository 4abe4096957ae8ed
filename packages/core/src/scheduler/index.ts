export type {
  IdleTask,
  ImmediateSchedulerOptions,
  Scheduler,
  SchedulerOption,
  SchedulerStats,
  SchedulerTask,
} from './scheduler.js';
export { createImmediateScheduler, createSyncScheduler } from './scheduler.js';
