import type { Attributes, NumberPoint } from '../snapshots/types.js';
import type { KindDefinition, ValueProblem } from './types.js';

/** The check every kind starts with: a finite number. */
export function checkFinite(value: unknown): ValueProblem | undefined {
  if (typeof value !== 'number') return ['invalid-value', `expected a number, got ${typeof value}`];
  if (!Number.isFinite(value)) return ['invalid-value', 'not a finite number'];
  return undefined;
}

type NumberKind = 'counter' | 'upDownCounter' | 'gauge';

/** What counter, upDownCounter and gauge share: a `{ attributes, value }` point, no options. */
export const numberPoint = {
  accumulates: 'value',
  configure: (): undefined => undefined,
  describe: () => ({}),
  createPoint: (attributes: Attributes): NumberPoint => ({ attributes, value: 0 }),
  copyPoint: (point: NumberPoint): NumberPoint => ({
    attributes: { ...point.attributes },
    value: point.value,
  }),
} satisfies Partial<KindDefinition<NumberKind, NumberPoint, undefined>>;

/** Adds `value` to a sum; `false` when the total would leave the finite range. */
export function addToSum(point: NumberPoint, value: number): boolean {
  const next = point.value + value;
  if (!Number.isFinite(next)) return false;
  point.value = next;
  return true;
}

/** Two sums of one attribute set: their total, unless it leaves the finite range. */
export function mergeSums(into: NumberPoint, added: NumberPoint): NumberPoint | undefined {
  const value = into.value + added.value;
  return Number.isFinite(value) ? { attributes: into.attributes, value } : undefined;
}
