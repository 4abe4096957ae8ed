import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeOtlp, type OtlpKind } from './otlp-protos.js';

/** One request as the collector saw it; `body` decoded to OTLP/JSON shape whatever the encoding. */
export interface ReceivedRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly contentType: string;
  readonly contentEncoding: string | undefined;
  /** Bytes on the wire (compressed when `contentEncoding` is gzip). */
  readonly wireBytes: number;
  readonly receivedAt: number;
  readonly body: unknown;
}

/** A loopback OTLP/HTTP receiver (JSON and protobuf) that keeps every decoded request. */
export interface OtlpReceiver {
  readonly url: string;
  /** Decoded bodies per path (`/v1/metrics`, `/v1/traces`). */
  readonly bodies: Map<string, unknown[]>;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1 (free port, or `port`: a collector coming back where it was).
 * Protobuf bodies are decoded with OpenTelemetry's published protobuf definitions (never the code
 * under test). `hang: true` accepts requests and never answers.
 */
export async function startOtlpReceiver(
  options: { hang?: boolean; port?: number } = {},
): Promise<OtlpReceiver> {
  const bodies = new Map<string, unknown[]>();
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (options.hang) return;
      const path = request.url ?? '/';
      const wire = Buffer.concat(chunks);
      const encoding = request.headers['content-encoding'];
      const raw = encoding === 'gzip' ? gunzipSync(wire) : wire;
      const contentType = request.headers['content-type'] ?? '';
      let body: unknown;
      try {
        body = contentType.includes('json')
          ? JSON.parse(raw.toString('utf8'))
          : contentType.includes('protobuf')
            ? decodeOtlp(kindOf(path), raw)
            : raw.toString('utf8');
      } catch (error) {
        body = { undecodable: String(error) }; // the test's assertions on the body then fail
      }
      requests.push({
        path,
        headers: request.headers,
        contentType,
        contentEncoding: encoding,
        wireBytes: wire.length,
        receivedAt: Date.now(),
        body,
      });
      const list = bodies.get(path) ?? [];
      list.push(body);
      bodies.set(path, list);
      response.writeHead(200, { 'content-type': contentType || 'application/json' });
      response.end(contentType.includes('json') ? '{}' : '');
    });
  });
  const { port, close } = await listenOnLoopback(server, options.port);
  return { url: `http://127.0.0.1:${port}`, bodies, requests, close };
}

/**
 * Listens on 127.0.0.1 (a free port, or `port`) and returns the port and a `close` that also ends
 * kept-alive connections (an exporter's agent keeps its sockets open).
 */
export async function listenOnLoopback(
  server: Server | HttpsServer,
  port = 0,
): Promise<{ port: number; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function kindOf(path: string): OtlpKind {
  return path.includes('trace') ? 'traces' : 'metrics';
}

interface JsonAttribute {
  key: string;
  value: {
    stringValue?: string;
    boolValue?: boolean;
    intValue?: number | string;
    doubleValue?: number;
  };
}

/** `[{ key, value: { stringValue } }]` → `{ key: value }`. */
export function attributesOf(list: JsonAttribute[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) {
    out[key] =
      value.stringValue ??
      value.boolValue ??
      value.doubleValue ??
      (value.intValue === undefined ? undefined : Number(value.intValue));
  }
  return out;
}
