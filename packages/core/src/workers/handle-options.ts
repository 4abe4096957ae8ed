import {
  checkOverflow,
  checkPositiveInteger,
  MAX_HANDLE_COUNT,
} from '../internal/buffer-options.js';
import type { OverflowPolicy } from '../internal/overflow.js';

/** The buffer settings a worker handle carries. */
export interface HandleOptions {
  readonly maxPendingEvents: number;
  readonly overflow: OverflowPolicy;
  readonly batchSize: number;
}

/**
 * Checks a handle's buffer settings (the same checks as a recorder's options, bounded by the
 * handle's u32 counters): where a handle is made, and where a worker connects with one.
 */
export function checkHandleOptions(
  owner: string,
  options: { maxPendingEvents?: unknown; overflow?: unknown; batchSize?: unknown },
): HandleOptions {
  return {
    maxPendingEvents: checkPositiveInteger(
      owner,
      'maxPendingEvents',
      options.maxPendingEvents,
      MAX_HANDLE_COUNT,
    ),
    batchSize: checkPositiveInteger(owner, 'batchSize', options.batchSize, MAX_HANDLE_COUNT),
    overflow: checkOverflow(owner, options.overflow),
  };
}
