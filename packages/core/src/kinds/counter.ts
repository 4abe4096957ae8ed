import type { NumberPoint } from '../snapshots/types.js';
import { defineKind } from './define-kind.js';
import { addToSum, checkFinite, mergeSums, numberPoint } from './number-point.js';
import type { KindDefinition, ValueProblem } from './types.js';

const NEGATIVE: ValueProblem = [
  'negative-increment',
  'a counter only goes up (use upDownCounter for deltas)',
];

/** `counter`: a monotonic sum; each accepted event adds a non-negative increment (default 1). */
export const counterKind: KindDefinition<'counter', NumberPoint, undefined> = defineKind({
  kind: 'counter',
  requiresValue: false,
  ...numberPoint,
  checkValue: (value) => checkFinite(value) ?? ((value as number) < 0 ? NEGATIVE : undefined),
  apply: addToSum,
  merge: mergeSums,
});
