import { type BridgeExemplar, latestOf } from '../exemplars/types.js';

// OpenMetrics caps an exemplar's label set (names and values) at 128 UTF-8 characters.
const EXEMPLAR_LABEL_LIMIT = 128;

/** OpenMetrics escaping of a label value or HELP text: backslash, newline, double quote. */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** `a,b` (either may be empty). */
export function joinLabels(list: string, item: string): string {
  if (list === '') return item;
  return item === '' ? list : `${list},${item}`;
}

/** `{labels}`, or nothing for none. */
export function braces(labels: string): string {
  return labels === '' ? '' : `{${labels}}`;
}

/** A sample value as Prometheus and OpenMetrics write it (`+Inf`, `-Inf`, `NaN`). */
export function sampleValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** ` # {trace_id="…",span_id="…"} value timestamp`, or nothing when there is none to print. */
export function exemplarText(exemplar: BridgeExemplar | undefined): string {
  if (exemplar === undefined || !Number.isFinite(exemplar.value)) return '';
  const { traceId, spanId } = exemplar;
  if (traceId.length + spanId.length + 15 > EXEMPLAR_LABEL_LIMIT) return ''; // 15: the two names
  // Escaped like any label value: only valid ids become exemplars, and this is the second line.
  const labels =
    traceId === '' ? '' : `trace_id="${escapeText(traceId)}",span_id="${escapeText(spanId)}"`;
  const seconds = (Math.round(exemplar.time) / 1000).toFixed(3);
  return ` # {${labels}} ${sampleValue(exemplar.value)} ${seconds}`;
}

/** The latest of a counter's exemplars, as its `_total` sample carries one. */
export function latestExemplarText(
  exemplars: ReadonlyArray<BridgeExemplar | undefined> | undefined,
): string {
  return exemplarText(latestOf(exemplars));
}
