import type { NumberPoint } from '../snapshots/types.js';
import { defineKind } from './define-kind.js';
import { addToSum, checkFinite, mergeSums, numberPoint } from './number-point.js';
import type { KindDefinition } from './types.js';

/** `upDownCounter`: a sum that goes up and down; each accepted event adds a signed delta (default 1). */
export const upDownCounterKind: KindDefinition<'upDownCounter', NumberPoint, undefined> =
  defineKind({
    kind: 'upDownCounter',
    requiresValue: false,
    ...numberPoint,
    checkValue: checkFinite,
    apply: addToSum,
    merge: mergeSums,
  });
