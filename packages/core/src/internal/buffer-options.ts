// The wiring-time checks of a bounded buffer's options, in one place for every owner: a recorder,
// a runtime (the defaults it hands its recorders), a worker handle and a worker-side recorder.
// Each throws a MetricsWiringError that names the owner, the option and the value.
import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from './attributes.js';
import {
  isOverflowPolicy,
  OVERFLOW_STRATEGIES,
  type OverflowPolicy,
  type OverflowStrategy,
  overflowPolicyNames,
} from './overflow.js';

/** The largest count a worker handle carries (its counters are u32 slots read as differences). */
export const MAX_HANDLE_COUNT = 0x7fff_ffff;

/**
 * `value` as a positive integer option of `owner` (e.g. `Recorder "r"`), at most `max` when given.
 * `undefined` is the caller's to default before or after.
 */
export function checkPositiveInteger(
  owner: string,
  option: string,
  value: unknown,
  max?: number,
): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    (max !== undefined && value > max)
  ) {
    const bound = max === MAX_HANDLE_COUNT ? ' below 2^31' : max === undefined ? '' : ` <= ${max}`;
    throw new MetricsWiringError(
      'invalid-option',
      `${owner}: ${option} must be a positive integer${bound}, got ${describeValue(value)}.`,
    );
  }
  return value;
}

/** `value` as the `overflow` option of `owner`: one of the names in `OVERFLOW_STRATEGIES`. */
export function checkOverflow(owner: string, value: unknown): OverflowPolicy {
  if (!isOverflowPolicy(value)) {
    throw new MetricsWiringError(
      'invalid-option',
      `${owner}: overflow must be ${overflowPolicyNames()}, got ${describeValue(value)}.`,
    );
  }
  return value;
}

/** The strategy a (checked) policy name stands for. */
export function overflowStrategy(policy: OverflowPolicy): OverflowStrategy {
  return OVERFLOW_STRATEGIES[policy];
}
