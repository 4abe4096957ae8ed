import { createRequire } from 'node:module';

// OpenTelemetry's published protobuf definitions, as the generated protobufjs root that
// @opentelemetry/otlp-transformer 0.52 shipped (installed under the alias `otlp-proto-root`):
// payloads are decoded by something we did not write, never by the code under test.
const require = createRequire(import.meta.url);

/** A generated message type: decode bytes, turn a message into a plain object. */
export interface MessageType {
  decode(bytes: Uint8Array): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: generated protobufjs namespace
const root: any = require('otlp-proto-root/build/src/generated/root.js');
const collector = root.opentelemetry.proto.collector;

/** Which export service a payload belongs to. */
export type OtlpKind = 'metrics' | 'traces';

/** Request and response types of each OTLP export service, with its gRPC method path. */
export const OTLP_SERVICES: Record<
  OtlpKind,
  { path: string; request: MessageType; response: MessageType }
> = {
  metrics: {
    path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
    request: collector.metrics.v1.ExportMetricsServiceRequest,
    response: collector.metrics.v1.ExportMetricsServiceResponse,
  },
  traces: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    request: collector.trace.v1.ExportTraceServiceRequest,
    response: collector.trace.v1.ExportTraceServiceResponse,
  },
};

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/**
 * Decodes a protobuf export request into the OTLP/JSON shape (camelCase fields, 64-bit integers
 * as strings, trace and span ids as lowercase hex), so one set of assertions reads both encodings.
 */
export function decodeOtlp(kind: OtlpKind, bytes: Uint8Array): unknown {
  const type = OTLP_SERVICES[kind].request;
  return toJsonShape(type, type.decode(bytes));
}

/** A decoded message in the OTLP/JSON shape (see {@link decodeOtlp}). */
export function toJsonShape(type: MessageType, message: unknown): unknown {
  const object = type.toObject(message, { longs: String, bytes: Array, defaults: false });
  return hexIds(object);
}

function hexIds(value: unknown, key?: string): unknown {
  if (key !== undefined && ID_FIELDS.has(key) && Array.isArray(value)) {
    return Buffer.from(value as number[]).toString('hex');
  }
  if (Array.isArray(value)) return value.map((item) => hexIds(item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hexIds(v, k)]));
  }
  return value;
}
