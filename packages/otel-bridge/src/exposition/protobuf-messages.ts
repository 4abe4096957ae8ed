// Plain objects in the shape of Prometheus' client_model messages (proto/io/prometheus/client/
// metrics.proto, protobufjs' camelCase field names), which protobufjs encodes as they are.
import type { BridgeExemplar } from '../exemplars/types.js';

const EXEMPLAR_LABEL_LIMIT = 128;

/** client_model's `MetricType`. */
export const METRIC_TYPE = { COUNTER: 0, GAUGE: 1, HISTOGRAM: 4 } as const;

/** A `LabelPair`. */
export interface LabelPair {
  name: string;
  value: string;
}

/** An `Exemplar`: trace and span id labels, the value, the time. */
export interface ExemplarMessage {
  label: LabelPair[];
  value: number;
  timestamp: { seconds: number; nanos: number };
}

/** The part of a `Metric` message that carries one point's value: its counter, gauge or histogram field. */
export type MetricValueMessage =
  | { counter: { value: number; exemplar?: ExemplarMessage } }
  | { gauge: { value: number } }
  | { histogram: object };

/**
 * An exemplar as client_model carries it, or `undefined` when there is none to send: the rules of
 * the OpenMetrics text (a finite value, labels within OpenMetrics' 128-character limit).
 */
export function exemplarMessage(exemplar: BridgeExemplar | undefined): ExemplarMessage | undefined {
  if (exemplar === undefined || !Number.isFinite(exemplar.value)) return undefined;
  const { traceId, spanId } = exemplar;
  if (traceId.length + spanId.length + 15 > EXEMPLAR_LABEL_LIMIT) return undefined;
  const millis = Math.round(exemplar.time);
  const seconds = Math.floor(millis / 1000);
  return {
    label:
      traceId === ''
        ? []
        : [
            { name: 'trace_id', value: traceId },
            { name: 'span_id', value: spanId },
          ],
    value: exemplar.value,
    timestamp: { seconds, nanos: (millis - seconds * 1000) * 1e6 },
  };
}
