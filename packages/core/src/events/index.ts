export { MetricEvent } from './metric-event.js';
export type { EventClass, EventPredicate, EventSelector } from './selector.js';
export { describeEvent } from './selector.js';
