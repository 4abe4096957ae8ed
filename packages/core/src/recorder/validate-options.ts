// Wiring-time checks of a recorder's options. Each throws a MetricsWiringError naming the
// recorder, the mistake and the fix; none runs on the hot path.
import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import type { OverflowPolicy, RecorderOptions } from './types.js';

/** Default bound of a recorder's pending-event buffer (`maxPendingEvents`). */
export const DEFAULT_MAX_PENDING_EVENTS = 65_536;

/** The buffer settings of a recorder's options, checked and defaulted. */
export function checkRecorderOptions(
  name: string,
  options: RecorderOptions,
): { capacity: number; overflow: OverflowPolicy } {
  if (typeof name !== 'string' || name.length === 0) {
    throw new MetricsWiringError(
      'invalid-recorder-name',
      `Recorder name must be a non-empty string, got ${describeValue(name)}.`,
    );
  }
  const capacity = options.maxPendingEvents ?? DEFAULT_MAX_PENDING_EVENTS;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new MetricsWiringError(
      'invalid-option',
      `Recorder "${name}": maxPendingEvents must be a positive integer, got ${describeValue(capacity)}.`,
    );
  }
  const overflow = options.overflow ?? 'drop-newest';
  if (overflow !== 'drop-newest' && overflow !== 'drop-oldest') {
    throw new MetricsWiringError(
      'invalid-option',
      `Recorder "${name}": overflow must be 'drop-newest' or 'drop-oldest', got ${describeValue(overflow)}.`,
    );
  }
  return { capacity, overflow };
}
