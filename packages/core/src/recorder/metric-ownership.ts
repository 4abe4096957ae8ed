// Wiring-time check of a metric joining a recorder: a real metric, a name valid and not taken,
// and not owned by another live recorder. Throws a MetricsWiringError naming the fix.
import { MetricsWiringError } from '../errors/index.js';
import { assertValidMetricName } from '../metrics/name.js';
import type { Metric } from '../metrics/types.js';
import type { RecorderState } from './types.js';

/** What the ownership check needs to know of a recorder. */
interface Owner {
  readonly name: string;
  readonly state: RecorderState;
}

// A metric instance belongs to one live recorder: sharing one would merge two scopes' state.
const owners = new WeakMap<Metric, Owner>();

/**
 * Checks that `metric` may join `recorder`, whose metrics so far are `metrics` (a real metric, a
 * valid name not taken in this recorder, not owned by another live recorder), then records
 * `recorder` as its owner.
 */
export function claimMetric(recorder: Owner, metrics: readonly Metric[], metric: Metric): void {
  if (
    metric === null ||
    typeof metric !== 'object' ||
    typeof metric.handleEvent !== 'function' ||
    typeof metric.snapshot !== 'function'
  ) {
    throw new MetricsWiringError(
      'invalid-metric-options',
      `Recorder "${recorder.name}": addMetric needs an object with name, handleEvent(event) and snapshot().`,
    );
  }
  assertValidMetricName(metric.name);
  if (metrics.some((m) => m.name === metric.name)) {
    throw new MetricsWiringError(
      'duplicate-metric',
      `Recorder "${recorder.name}" already has a metric named "${metric.name}": give each metric of a recorder its own name.`,
    );
  }
  const owner = owners.get(metric);
  if (owner !== undefined && owner !== recorder && owner.state !== 'stopped') {
    throw new MetricsWiringError(
      'duplicate-metric',
      `Metric "${metric.name}" already belongs to recorder "${owner.name}" and cannot join recorder "${recorder.name}" too: pass a factory (\`metrics: () => [...]\`) so each recorder gets its own instances.`,
    );
  }
  owners.set(metric, recorder);
}
