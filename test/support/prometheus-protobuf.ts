// Prometheus' protobuf exposition read back with protobufjs against Prometheus' own
// client_model (packages/otel-bridge/proto/io/prometheus/client/metrics.proto): a body of
// length-delimited MetricFamily messages, as a scrape with the protobuf Accept gets it.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const PROTO = fileURLToPath(
  new URL('../../packages/otel-bridge/proto/io/prometheus/client/metrics.proto', import.meta.url),
);

/** Every MetricFamily of `body`, as plain objects (numbers for longs, enum names, no defaults). */
export function decodeMetricFamilies<T>(body: Uint8Array): T[] {
  const protobuf = createRequire(import.meta.url)('protobufjs');
  const type = protobuf.loadSync(PROTO).lookupType('io.prometheus.client.MetricFamily');
  const reader = protobuf.Reader.create(body);
  const families: T[] = [];
  while (reader.pos < reader.len) {
    const message = type.decodeDelimited(reader);
    families.push(type.toObject(message, { longs: Number, enums: String, defaults: false }));
  }
  return families;
}
