export { MetricEvent } from './metric-event.js';
export type { EventClass, EventPredicate, EventSelector, SplitSelector } from './selector.js';
export { compileSelector, describeEvent, isInstance, splitSelector } from './selector.js';
