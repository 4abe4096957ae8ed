// Prometheus' protobuf exposition: length-delimited `io.prometheus.client.MetricFamily` messages
// (client_model's metrics.proto, vendored in proto/ and loaded by protobufjs, the protobuf library
// OpenTelemetry's OTLP exporters bring). The format native histograms are scraped in.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { DataPoint, MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ExemplarCarrier } from '../exemplars/types.js';
import { sanitizePrometheusName } from '../exposition/prometheus-units.js';
import { type LabelPair, METRIC_TYPE } from '../exposition/protobuf-messages.js';
import { adapterForData, type MirroredValue } from '../kinds/index.js';
import { labelPairs, scopeLabels } from './openmetrics.js';

/** The `Content-Type` of the protobuf exposition. */
export const PROTOBUF_CONTENT_TYPE =
  'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

// From src/pipeline/ and dist/pipeline/ alike: the package's proto/ folder.
const PROTO = fileURLToPath(
  new URL('../../proto/io/prometheus/client/metrics.proto', import.meta.url),
);

/** What protobufjs gives for a message type: encoding plain objects, delimited, into one writer. */
interface MessageType {
  encodeDelimited(message: object, writer?: Writer): Writer;
}
interface Writer {
  finish(): Uint8Array;
}
interface Protobufjs {
  loadSync(path: string): { lookupType(name: string): MessageType };
  Writer: { create(): Writer };
}

let codec: { type: MessageType; writer: () => Writer } | undefined;

/** client_model's `MetricFamily`, loaded on the first protobuf scrape (attaching loads nothing). */
function metricFamily(): { type: MessageType; writer: () => Writer } {
  if (codec === undefined) {
    // protobufjs is CommonJS; require() keeps this synchronous and loads it once.
    const protobuf = createRequire(import.meta.url)('protobufjs') as Protobufjs;
    const type = protobuf.loadSync(PROTO).lookupType('io.prometheus.client.MetricFamily');
    codec = { type, writer: () => protobuf.Writer.create() };
  }
  return codec;
}

interface Family {
  name: string;
  help: string;
  type: number;
  metric: Array<Record<string, unknown>>;
}

/**
 * A collection that has gone through `prometheusLabels` as protobuf exposition: `target_info`,
 * then one `MetricFamily` per family name (the same names, labels and series as the text
 * formats), each kind's points as its adapter writes them: exponential histograms as native
 * histograms, explicit ones as classic histograms with exemplars per bucket.
 */
export function serializeProtobuf(resourceMetrics: ResourceMetrics): Uint8Array {
  const { type, writer: create } = metricFamily();
  const families = new Map<string, Family>();
  families.set('target_info', {
    name: 'target_info',
    help: 'Target metadata',
    type: METRIC_TYPE.GAUGE,
    metric: [
      { label: labelPairs(resourceMetrics.resource.attributes, undefined), gauge: { value: 1 } },
    ],
  });
  for (const scope of resourceMetrics.scopeMetrics) {
    const extra = scopeLabels(scope);
    for (const metric of scope.metrics) addMetric(families, metric, extra);
  }
  const writer = create();
  for (const family of families.values()) {
    if (family.metric.length > 0) type.encodeDelimited(family, writer);
  }
  return writer.finish();
}

function addMetric(
  families: Map<string, Family>,
  metric: MetricData,
  extra: Record<string, string>,
): void {
  const adapter = adapterForData(metric);
  if (adapter === undefined) return; // data of a kind the bridge never produces
  const writer = adapter.protobuf;
  const name = writer.family(sanitizePrometheusName(metric.descriptor.name));
  let family = families.get(name);
  if (family === undefined) {
    family = {
      name,
      help: metric.descriptor.description || 'description missing',
      type: writer.type,
      metric: [],
    };
    families.set(name, family);
  } else if (family.type !== writer.type) {
    return; // two kinds under one name: the text formats print one family too (name-clash reported)
  }
  for (const point of metric.dataPoints as Array<DataPoint<MirroredValue> & ExemplarCarrier>) {
    const label: LabelPair[] = labelPairs(point.attributes, extra);
    family.metric.push({ label, ...writer.value(point) });
  }
}
