import {
  describeMetric,
  type Metric,
  type MetricsRecorder,
  MetricsWiringError,
} from '@mvx-metrics/core';
import { prometheusMetricName } from '../exposition/prometheus-units.js';
import { instrumentName as fullName } from '../internal/instrument-name.js';
import type { Reporter } from '../internal/report.js';
import { adapterFor, fallbackAdapter, type KindAdapter, sumAdapter } from '../kinds/index.js';
import {
  RECORDER_CAPACITY,
  RECORDER_EVENTS,
  RECORDER_PENDING,
  SELF_TELEMETRY_SCOPE,
} from '../telemetry/self-telemetry.js';

interface Identity {
  readonly instrumentName: string;
  /** The instrumentation scope (meter) it is exported under: the namespace, or the self-telemetry scope. */
  readonly scope: string;
  readonly adapter: KindAdapter;
  readonly unit: string;
  readonly owner: string;
}

interface Claim extends Identity {
  holders: number;
}

const GUARDS = new WeakMap<object, NameGuard>();

/** The guard shared by every bridge that exports through `destination` (a producer or a MeterProvider). */
export function nameGuardFor(destination: object): NameGuard {
  let guard = GUARDS.get(destination);
  if (guard === undefined) {
    guard = new NameGuard();
    GUARDS.set(destination, guard);
  }
  return guard;
}

/**
 * Keeps exported names unambiguous at wiring time: one instrument name has one kind and one unit
 * across all recorders, and no two instruments print the same Prometheus sample name
 * (`a.b` and `a_b` both become `a_b`). A clash throws a {@link MetricsWiringError} naming both
 * metrics, instead of a duplicate HELP/TYPE family or silently merged series later.
 */
export class NameGuard {
  private readonly instruments = new Map<string, Claim>();
  private readonly samples = new Map<string, string>();

  constructor() {
    for (const self of [RECORDER_EVENTS, RECORDER_PENDING, RECORDER_CAPACITY]) {
      this.take({
        instrumentName: self.name,
        scope: SELF_TELEMETRY_SCOPE,
        adapter: sumAdapter(self.monotonic) as KindAdapter,
        unit: self.unit,
        owner: 'the bridge (self-telemetry)',
      });
    }
  }

  /** Checks every metric of `recorder`, then claims their names; returns the release function. */
  claim(recorder: MetricsRecorder, namespace: string, reporter?: Reporter): () => void {
    const identities = recorder
      .getMetrics()
      .map((metric) => identityOf(metric, namespace, recorder.name, reporter));
    const local = new NameGuard();
    for (const identity of identities) {
      this.check(identity);
      local.check(identity); // two metrics of this very recorder
      local.take(identity);
    }
    for (const identity of identities) this.take(identity);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const identity of identities) this.release(identity);
    };
  }

  private check(identity: Identity): void {
    const claim = this.instruments.get(identity.instrumentName);
    if (claim !== undefined) {
      // One name under two scopes (namespace `shop` + metric `orders.count` and namespace
      // `shop.orders` + metric `count`, or a metric named like the self-telemetry) would print
      // the family twice on /metrics.
      if (claim.scope !== identity.scope) {
        throw new MetricsWiringError(
          'duplicate-metric',
          `Metric "${identity.instrumentName}" of ${identity.owner} (scope "${identity.scope}") and ${claim.owner} (scope "${claim.scope}") export the same instrument name, which Prometheus would print as two families: rename one of them or change a namespace.`,
        );
      }
      const kind = identity.adapter.kind;
      if (claim.adapter.kind !== kind || claim.unit !== identity.unit) {
        throw new MetricsWiringError(
          'duplicate-metric',
          `Metric "${identity.instrumentName}" of ${identity.owner} is a ${kind}${unitText(identity.unit)}, but ${claim.owner} already exports it as a ${claim.adapter.kind}${unitText(claim.unit)}: one name must keep one kind and one unit; rename one of them.`,
        );
      }
      return;
    }
    for (const sample of sampleNames(identity)) {
      const other = this.samples.get(sample);
      if (other === undefined || other === identity.instrumentName) continue;
      const otherOwner = this.instruments.get(other)?.owner ?? 'another recorder';
      throw new MetricsWiringError(
        'duplicate-metric',
        `Metric "${identity.instrumentName}" of ${identity.owner} and metric "${other}" of ${otherOwner} both become the Prometheus series "${sample}": rename one of them (Prometheus turns '.', '-' and '/' into '_').`,
      );
    }
  }

  private take(identity: Identity): void {
    const claim = this.instruments.get(identity.instrumentName);
    if (claim !== undefined) {
      claim.holders++;
      return;
    }
    this.instruments.set(identity.instrumentName, { ...identity, holders: 1 });
    for (const sample of sampleNames(identity)) {
      this.samples.set(sample, identity.instrumentName);
    }
  }

  private release(identity: Identity): void {
    const claim = this.instruments.get(identity.instrumentName);
    if (claim === undefined || --claim.holders > 0) return;
    this.instruments.delete(identity.instrumentName);
    for (const sample of sampleNames(identity)) {
      if (this.samples.get(sample) === identity.instrumentName) this.samples.delete(sample);
    }
  }
}

function identityOf(
  metric: Metric,
  namespace: string,
  recorderName: string,
  reporter: Reporter | undefined,
): Identity {
  let instrumentName = `${namespace}.${metric.name}`;
  let adapter: KindAdapter;
  let unit = '';
  try {
    const descriptor = describeMetric(metric);
    instrumentName = fullName(namespace, metric.name, descriptor);
    adapter = adapterFor({ name: instrumentName, kind: descriptor.kind }, reporter);
    unit = typeof descriptor.unit === 'string' ? descriptor.unit : '';
  } catch {
    // a metric whose snapshot() throws is reported at collection; it is named as a gauge here
    adapter = fallbackAdapter();
  }
  return {
    instrumentName,
    scope: namespace,
    adapter,
    unit,
    owner: `recorder "${recorderName}"`,
  };
}

function sampleNames(identity: Identity): string[] {
  const { adapter, instrumentName, unit } = identity;
  return adapter.prometheusSampleNames(
    prometheusMetricName(instrumentName, unit, adapter.prometheusNaming),
  );
}

function unitText(unit: string): string {
  return unit === '' ? ' without unit' : ` in "${unit}"`;
}
