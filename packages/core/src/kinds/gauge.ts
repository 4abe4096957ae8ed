import type { NumberPoint } from '../snapshots/types.js';
import { defineKind } from './define-kind.js';
import { checkFinite, numberPoint } from './number-point.js';
import type { KindDefinition } from './types.js';

/** `gauge`: the last value set per point; of two points of one attribute set, the one added last wins. */
export const gaugeKind: KindDefinition<'gauge', NumberPoint, undefined> = defineKind({
  kind: 'gauge',
  requiresValue: true,
  ...numberPoint,
  checkValue: checkFinite,
  apply: (point, value) => {
    point.value = value;
    return true;
  },
  merge: (into, added) => ({ attributes: into.attributes, value: added.value }),
});
