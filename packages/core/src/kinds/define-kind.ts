import type { KindPoints, MetricKind } from '../snapshots/types.js';
import type { KindDefinition } from './types.js';

/**
 * A kind's definition as the object every metric of the kind shares: its data (`kind`,
 * `requiresValue`, `accumulates`) on the object, its rules (`checkValue`, `apply`, …) on a frozen
 * prototype of its own, both frozen.
 *
 * Why a prototype: a built-in metric calls `this.definition.apply(point, value)` for every event.
 * Rules held as an object literal's own properties are values V8 cannot know in advance, so that
 * call stays a generic call into whichever function it finds; rules on a prototype are constants
 * of the definition's hidden class, so a call site that has seen a few kinds (the soak's four)
 * inlines each kind's `checkValue` and `apply` behind a class check (bench/README.md, "Where a
 * processed event's time and bytes go").
 */
export function defineKind<K extends MetricKind, P extends KindPoints[K], C>(
  definition: KindDefinition<K, P, C>,
): KindDefinition<K, P, C> {
  const rules: Record<string, unknown> = {};
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(definition)) {
    if (typeof value === 'function') rules[name] = value;
    else data[name] = value;
  }
  return Object.freeze(Object.assign(Object.create(Object.freeze(rules)), data));
}
