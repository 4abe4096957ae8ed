import type { HrTime } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';

/** Wall-clock milliseconds since the epoch, sub-millisecond where the platform allows. */
export type EpochClock = () => number;

/** `performance.timeOrigin + performance.now()`: monotonic within the process, epoch-based. */
export const defaultEpochClock: EpochClock = () => performance.timeOrigin + performance.now();

/** The clock's current time as an OTel `HrTime`. */
export function hrNow(clock: EpochClock): HrTime {
  return millisToHrTime(clock());
}
