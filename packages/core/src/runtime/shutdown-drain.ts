// How a runtime's shutdown drains within a deadline, and what it does with what is left when it
// cannot: kept apart from the runtime so its lifecycle reads in a few lines.
import { describeError } from '../errors/describe-error.js';
import { MetricsError, MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import type { MetricsRecorder } from '../recorder/metrics-recorder.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { ShutdownOptions } from './types.js';

/** How long `shutdown()` may drain unless told otherwise. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** The checked `timeoutMs` of `shutdown(options)`; a wiring mistake throws. */
export function shutdownTimeout(namespace: string, options: ShutdownOptions | undefined): number {
  const value = options?.timeoutMs;
  if (value === undefined) return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new MetricsWiringError(
      'invalid-option',
      `MetricsRuntime "${namespace}": shutdown({ timeoutMs }) must be a positive number of milliseconds (Infinity waits as long as the drain takes), got ${describeValue(value)}.`,
    );
  }
  return value;
}

/**
 * Why a drain was given up (`undefined`: it finished), and what explains it when no event was
 * left to discard.
 */
export type DrainOutcome = GivenUp | undefined;
export interface GivenUp {
  readonly why: string;
  readonly ifNoneLeft: string;
}

/**
 * Resolves `undefined` when `work` settles first, else why it was given up: `ms` passed, or
 * `cutShort` resolved (with its reason) first.
 *
 * Unlike the library's other timers the deadline is not unref'd: the caller awaits the shutdown,
 * and with nothing else pending (a scheduler that never runs) an unref'd deadline would let the
 * process exit with the promise unsettled, before 'failed', its report and the bridge's final
 * export. It holds the process for at most `ms`, and only until the drain ends.
 */
export function drainWithin(
  work: Promise<unknown>,
  ms: number,
  cutShort: Promise<GivenUp>,
): Promise<DrainOutcome> {
  return new Promise((resolve) => {
    const timer =
      ms === Number.POSITIVE_INFINITY
        ? undefined
        : setTimeout(
            () =>
              resolve({
                why: `could not drain within ${ms} ms`,
                ifNoneLeft: 'a recorder never finished stopping',
              }),
            ms,
          );
    const settle = (outcome: DrainOutcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    void work.then(() => settle(undefined));
    void cutShort.then(settle);
  });
}

/**
 * The scheduler a runtime hands its recorders: the user's own, with its `schedule()` throws also
 * told to `onThrow` (the recorder still reports and contains them). While draining, such a throw
 * means the drain cannot finish: nothing asks the scheduler again.
 */
export function watchScheduler(inner: Scheduler, onThrow: (error: unknown) => void): Scheduler {
  const watched: Scheduler = {
    schedule(task) {
      try {
        inner.schedule(task);
      } catch (error) {
        onThrow(error);
        throw error;
      }
    },
    stats: () => inner.stats(),
  };
  if (inner.scheduleIdle !== undefined) {
    watched.scheduleIdle = (task) => inner.scheduleIdle?.(task);
  }
  return watched;
}

/** Why a throwing scheduler cut a drain short. */
export function schedulerThrew(error: unknown): GivenUp {
  return {
    why: `could not drain: its scheduler threw from schedule() (${describeError(error)})`,
    ifNoneLeft: 'every event was processed',
  };
}

/**
 * Discards what the recorders still hold (counted in their `stats().dropped`, so
 * `registered = processed + dropped + pending` holds) and builds the `shutdown-timeout` report.
 */
export function discardLeftovers(
  namespace: string,
  recorders: readonly MetricsRecorder[],
  { why, ifNoneLeft }: GivenUp,
): MetricsError {
  const lost: string[] = [];
  let total = 0;
  for (const recorder of recorders) {
    const count = recorder.discardPending();
    if (count === 0) continue;
    total += count;
    lost.push(`"${recorder.name}": ${count}`);
  }
  const discarded =
    total === 0
      ? `no pending event was left to discard (${ifNoneLeft})`
      : `${total} pending events were discarded (${lost.join(', ')}) and are counted in stats().dropped`;
  return new MetricsError(
    'shutdown-timeout',
    `Runtime "${namespace}" ${why}: ${discarded}. The runtime is 'failed'. Raise shutdown({ timeoutMs }), make the slow metrics cheaper, or fix the scheduler.`,
  );
}
