// Wiring-time checks of a recorder's options. Each throws a MetricsWiringError naming the
// recorder, the mistake and the fix; none runs on the hot path.
import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import { checkOverflow, checkPositiveInteger } from '../internal/buffer-options.js';
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
  const owner = `Recorder "${name}"`;
  const capacity = checkPositiveInteger(
    owner,
    'maxPendingEvents',
    options.maxPendingEvents ?? DEFAULT_MAX_PENDING_EVENTS,
  );
  const overflow = checkOverflow(owner, options.overflow ?? 'drop-newest');
  return { capacity, overflow };
}
