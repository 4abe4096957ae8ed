import { MetricsError } from '../errors/index.js';
import { gaugeKind } from '../kinds/index.js';
import type { Metric } from '../metrics/types.js';
import type { Attributes } from '../snapshots/types.js';
import type { MetricChange, RecorderView } from './types.js';

/**
 * The change record a recorder hands to its metric (as the `MetricUpdate` to fill in) and then to
 * its post-change hooks. While every listener is transient (`onChange(listener, { transient: true
 * })`, as the bridge listens) one record per recorder is reused for every change: building one per
 * visited metric was 288 of the 336 bytes a processed event allocated with a bridge attached.
 * Otherwise a listener may keep the record it got, and the next change gets a fresh one.
 */
export class ChangeRecord implements MetricChange {
  metric: Metric = UNSET_METRIC;
  event: object = UNSET_EVENT;
  context: unknown = undefined;
  attributes: Readonly<Attributes> | undefined = undefined;
  value: number | undefined = undefined;

  constructor(readonly recorder: RecorderView) {}

  /** After a batch: the record must not keep the last event or context alive until the next one. */
  release(): void {
    this.metric = UNSET_METRIC;
    this.event = UNSET_EVENT;
    this.context = undefined;
    this.attributes = undefined;
    this.value = undefined;
  }
}

// Shapes kept monomorphic: the fields always hold objects of the same kind.
const UNSET_EVENT: object = Object.freeze({});
const UNSET_METRIC: Metric = Object.freeze({
  name: '(no change)',
  handleEvent: () => false,
  snapshot: () => ({ name: '(no change)', kind: gaugeKind.kind, points: [] }),
});

/**
 * A copy of `change` that stays valid after the hook returns: what a transient listener
 * (`{ transient: true }`, handed a record the recorder reuses for the next change) keeps when it
 * must keep one. The copy is frozen; its `attributes` are the point's, shared with the metric's
 * state (never mutate them).
 *
 * @example
 * const kept: MetricChange[] = [];
 * recorder.onChange((change) => kept.push(copyChange(change)), { transient: true });
 */
export function copyChange<C = unknown>(change: MetricChange<C>): MetricChange<C> {
  return Object.freeze({
    recorder: change.recorder,
    metric: change.metric,
    event: change.event,
    context: change.context,
    attributes: change.attributes,
    value: change.value,
  });
}

// Test mode (`detectKeptChanges` in @mvx-metrics/core/testing): a record per change, poisoned
// after its hooks returned, so a listener that kept it instead of a copy fails loudly.
let poisoning = false;

/** Whether records are poisoned after use (the dispatcher then takes a fresh one per change). */
export function poisoningChanges(): boolean {
  return poisoning;
}

/** Turns test mode on or off; returns the previous setting. */
export function setChangePoisoning(on: boolean): boolean {
  const previous = poisoning;
  poisoning = on;
  return previous;
}

const FIELDS = ['recorder', 'metric', 'event', 'context', 'attributes', 'value'] as const;

/** Every field of `record` throws from now on, naming the mistake and the fix. */
export function poison(record: ChangeRecord): void {
  const read = (field: string) => () => {
    throw new MetricsError(
      'kept-change',
      `A MetricChange was read (.${field}) after its hook call returned: the recorder reuses the record for the next change. Keep copyChange(change) instead of the change itself.`,
    );
  };
  for (const field of FIELDS) {
    Object.defineProperty(record, field, { get: read(field), configurable: false });
  }
  Object.freeze(record);
}
