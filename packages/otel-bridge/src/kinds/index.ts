import type { MetricDescriptor } from '@mvx-metrics/core';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import type { Reporter } from '../internal/report.js';
import { counterAdapter } from './counter.js';
import { exponentialHistogramAdapter } from './exponential-histogram.js';
import { shapeOf } from './export-shapes.js';
import { gaugeAdapter } from './gauge.js';
import { histogramAdapter } from './histogram.js';
import type { ExportShape, KindAdapter } from './types.js';
import { upDownCounterAdapter } from './up-down-counter.js';

export { EXPORT_SHAPES, shapeOf } from './export-shapes.js';
export type {
  ExportedDescriptor,
  ExportShape,
  InstrumentOptions,
  KindAdapter,
  KindInstrument,
  MirroredExponentialHistogram,
  MirroredHistogram,
  MirroredValue,
  RecordedInstrument,
} from './types.js';

/**
 * Every core kind the bridge exports, one adapter each, keyed by the core kind. A new kind is one
 * file plus one entry here; the kind tests fail for a kind of core's registry missing here.
 */
export const KIND_ADAPTERS: readonly KindAdapter[] = [
  counterAdapter,
  upDownCounterAdapter,
  gaugeAdapter,
  histogramAdapter,
  exponentialHistogramAdapter,
] as readonly KindAdapter[];

const BY_KIND: ReadonlyMap<string, KindAdapter> = new Map(KIND_ADAPTERS.map((a) => [a.kind, a]));

/**
 * What a kind the bridge does not know is exported as: a gauge of the snapshot's values, re-read
 * from the snapshot at every change (what the hook's value means for such a kind is unknown).
 */
const UNKNOWN_KIND: KindAdapter = {
  ...(gaugeAdapter as KindAdapter),
  begin: () => undefined,
};

/**
 * The adapter of a metric's kind. A kind no adapter handles (a hand-written metric's) is exported
 * as a gauge, and `reporter` hears about it once per metric, naming the metric and the kind.
 */
export function adapterFor(
  descriptor: Pick<MetricDescriptor, 'name' | 'kind'>,
  reporter?: Reporter,
): KindAdapter {
  const kind = descriptor.kind;
  const adapter = typeof kind === 'string' ? BY_KIND.get(kind) : undefined;
  if (adapter !== undefined) return adapter;
  reporter?.once(
    `unknown-kind:${descriptor.name}:${String(kind)}`,
    'unknown-kind',
    `otel-bridge: metric "${descriptor.name}" declares the kind ${JSON.stringify(String(kind))}, which the bridge has no adapter for (it knows ${KIND_ADAPTERS.map((a) => a.kind).join(', ')}); it is exported as a gauge of its snapshot values. Declare one of the known kinds, or add an adapter in otel-bridge/src/kinds/.`,
  );
  return UNKNOWN_KIND;
}

/** The adapter of a metric whose kind cannot be learnt (its `snapshot()` throws): a gauge, as unknown kinds. */
export function fallbackAdapter(): KindAdapter {
  return UNKNOWN_KIND;
}

/** Whether two adapters export the same core kind (an unknown kind exports as a gauge). */
export function sameKind(a: KindAdapter, b: KindAdapter): boolean {
  return a.kind === b.kind;
}

/**
 * How OpenTelemetry metric data (any producer's) is named, merged and printed: its export shape,
 * found by the data's shape alone (the data does not say which core kind made it); `undefined`
 * for a shape the bridge does not export.
 */
export function adapterForData(data: MetricData): ExportShape | undefined {
  return shapeOf(data);
}

/** The adapter of a self-telemetry instrument: a counter when monotonic, else an up-down counter. */
export function sumAdapter(monotonic: boolean): KindAdapter<number, 'counter' | 'upDownCounter'> {
  return monotonic ? counterAdapter : upDownCounterAdapter;
}
