import type { HrTime } from '@opentelemetry/api';

/** Wall-clock milliseconds since the epoch, sub-millisecond where the platform allows. */
export type EpochClock = () => number;

/** `performance.timeOrigin + performance.now()`: monotonic within the process, epoch-based. */
export const defaultEpochClock: EpochClock = () => performance.timeOrigin + performance.now();

const NANOS_PER_MILLI = 1e6;
const NANOS_PER_SECOND = 1e9;

/**
 * Epoch milliseconds as an OTel `HrTime` (`[seconds, nanoseconds]`), rounded to the nanosecond.
 * Written here rather than imported from `@opentelemetry/core` so the main entry needs no SDK
 * package beyond `sdk-metrics`: one copy of `core` is then whatever the user's SDK line brings.
 */
export function millisToHrTime(epochMillis: number): HrTime {
  let seconds = Math.trunc(epochMillis / 1000);
  let nanos = Math.round((epochMillis - seconds * 1000) * NANOS_PER_MILLI);
  if (nanos >= NANOS_PER_SECOND) {
    seconds += 1;
    nanos -= NANOS_PER_SECOND;
  }
  return [seconds, nanos];
}

/** The clock's current time as an OTel `HrTime`. */
export function hrNow(clock: EpochClock): HrTime {
  return millisToHrTime(clock());
}
