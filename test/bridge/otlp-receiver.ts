import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback OTLP/HTTP receiver that keeps the decoded JSON bodies per path. */
export interface OtlpReceiver {
  readonly url: string;
  readonly bodies: Map<string, unknown[]>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 (free port). `hang: true` accepts requests and never answers. */
export async function startOtlpReceiver(options: { hang?: boolean } = {}): Promise<OtlpReceiver> {
  const bodies = new Map<string, unknown[]>();
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (options.hang) return;
      const path = request.url ?? '/';
      const text = Buffer.concat(chunks).toString('utf8');
      const list = bodies.get(path) ?? [];
      list.push(request.headers['content-type']?.includes('json') ? JSON.parse(text) : text);
      bodies.set(path, list);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
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
