/** One sampled measurement kept for a series: what OpenMetrics prints after a sample as `# {...} value time`. */
export interface BridgeExemplar {
  /** The measurement: a histogram observation, or a counter increment. */
  readonly value: number;
  /** When it was registered, epoch milliseconds. */
  readonly time: number;
  /** W3C trace id (32 hex digits), or `''` when the measurement ran outside any trace (`always_on`). */
  readonly traceId: string;
  /** Span id (16 hex digits): the domain event's own span with `spans: true`, else the request's. */
  readonly spanId: string;
}

/**
 * The exemplars a data point built by the bridge carries (an addition to sdk-metrics' `DataPoint`,
 * which has none): for a histogram, one slot per bucket (the latest sampled observation that fell
 * in it); for a counter, the reservoir's measurements.
 */
export interface ExemplarCarrier {
  exemplars?: ReadonlyArray<BridgeExemplar | undefined>;
}

/** Which measurements may become exemplars (`OTEL_METRICS_EXEMPLAR_FILTER`). */
export type ExemplarFilterName = 'trace_based' | 'always_on' | 'always_off';

/** The later of two exemplars (`undefined` when both are). */
export function later(
  a: BridgeExemplar | undefined,
  b: BridgeExemplar | undefined,
): BridgeExemplar | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.time >= a.time ? b : a;
}

/**
 * Exemplars of two points merged into one series: slot by slot the later one (a histogram's slots
 * are its buckets; a counter's are reservoir slots, of which OpenMetrics prints the latest).
 */
export function mergeExemplars(
  a: ExemplarCarrier['exemplars'],
  b: ExemplarCarrier['exemplars'],
): ExemplarCarrier['exemplars'] {
  if (a === undefined || a.length === 0) return b;
  if (b === undefined || b.length === 0) return a;
  const out: Array<BridgeExemplar | undefined> = [];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) out.push(later(a[i], b[i]));
  return out;
}

/** The most recent exemplar of a list. */
export function latestOf(list: ExemplarCarrier['exemplars']): BridgeExemplar | undefined {
  let latest: BridgeExemplar | undefined;
  for (const exemplar of list ?? []) latest = later(latest, exemplar);
  return latest;
}
