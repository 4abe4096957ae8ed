import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { MetricsRecorder } from '@mvx-metrics/core';
import {
  type DocumentStorage,
  InvalidDocumentError,
  StorageUnavailableError,
} from '../storage/document-storage.js';
import { HttpRequestServed } from './events.js';

/** Something that accepts events: all the server knows about metrics. */
export type EventSink = Pick<MetricsRecorder, 'registerEvent'>;

/** The measured scope of one client connection. */
export interface ConnectionScope {
  readonly name: string;
  readonly recorder: EventSink;
  /** Called once, when the connection has closed. */
  close(): void;
}

/** What a {@link RequestHook} learns about a request before it is handled. */
export interface RequestInfo {
  readonly method: string;
  /** The route template, e.g. `/documents/:id`; `undefined` when no route matched. */
  readonly route: string | undefined;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly connection: string | undefined;
}

/**
 * Runs around every request: wiring uses it to open a trace span. It must call `handle` once;
 * `handle` resolves with the response status code.
 */
export type RequestHook = (request: RequestInfo, handle: () => Promise<number>) => Promise<void>;

/** Options of {@link DocumentServer}. */
export interface DocumentServerOptions {
  storage: DocumentStorage;
  /** Receives one `HttpRequestServed` per request. */
  recorder: EventSink;
  /** Opens the scope of a new client connection (default: none; `undefined` = no scope). */
  openConnectionScope?: () => ConnectionScope | undefined;
  requestHook?: RequestHook;
  /** Bodies above this size are refused without reaching the storage (default 1 MiB). */
  maxBodyBytes?: number;
  /** Monotonic milliseconds (default `performance.now`). */
  clock?: () => number;
}

const DOCUMENT_ROUTE = '/documents/:id';
const DOCUMENT_PATH = /^\/documents\/([^/]*)$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The document service over `node:http`: `PUT`, `GET` and `DELETE /documents/:id`, plus
 * `GET /healthz`. Validation errors answer 4xx, storage failures 503.
 *
 * @example
 * const server = new DocumentServer({ storage, recorder });
 * const { port } = await server.listen(8080, '127.0.0.1');
 */
export class DocumentServer {
  readonly #options: DocumentServerOptions;
  readonly #server: Server;
  readonly #clock: () => number;
  readonly #maxBody: number;
  readonly #scopes = new WeakMap<Socket, ConnectionScope>();
  readonly #sockets = new Set<Socket>();

  constructor(options: DocumentServerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? (() => performance.now());
    this.#maxBody = options.maxBodyBytes ?? 1024 * 1024;
    this.#server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
      void this.#serve(req, res);
    });
    this.#server.on('connection', (socket) => this.#connected(socket));
  }

  /** The port listened on (after `listen`). */
  get port(): number {
    return (this.#server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Starts listening; rejects with the `listen` error (e.g. `EADDRINUSE`). */
  async listen(port: number, host: string): Promise<AddressInfo> {
    const failed = once(this.#server, 'error');
    this.#server.listen(port, host);
    await Promise.race([
      once(this.#server, 'listening'),
      failed.then(([error]) => Promise.reject(error)),
    ]);
    failed.catch(() => {});
    return this.#server.address() as AddressInfo;
  }

  /**
   * Stops accepting connections, lets requests in flight finish (up to `graceMs`), then closes
   * every connection. Each connection's scope is closed as its socket closes.
   */
  async close(graceMs = 3000): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    const timer = setTimeout(() => this.#server.closeAllConnections(), graceMs);
    timer.unref();
    await closed;
    // The server can report closed before every socket's own 'close' ran: wait for those too,
    // so every connection scope is closed when this resolves.
    while (this.#sockets.size > 0) {
      await Promise.all([...this.#sockets].map((socket) => once(socket, 'close')));
    }
    clearTimeout(timer);
  }

  #connected(socket: Socket): void {
    this.#sockets.add(socket);
    const scope = this.#options.openConnectionScope?.();
    if (scope !== undefined) this.#scopes.set(socket, scope);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      scope?.close();
    });
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = this.#clock();
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const match = DOCUMENT_PATH.exec(path);
    const route = match !== null ? DOCUMENT_ROUTE : path === '/healthz' ? '/healthz' : undefined;
    const method = req.method ?? 'GET';
    const scope = this.#scopes.get(req.socket);
    // Runs inside the hook (e.g. inside the request's span), so the event is registered there too.
    const handle = async (): Promise<number> => {
      let errorType: string | undefined;
      try {
        await this.#route(req, res, method, route, match?.[1]);
      } catch (error) {
        this.#fail(res, error);
        errorType = unexpectedErrorType(error);
      }
      const seconds = Math.max(0, this.#clock() - started) / 1000;
      // error.type (semantic conventions): the exception's type, else the 5xx status as a string.
      if (errorType === undefined && res.statusCode >= 500) errorType = String(res.statusCode);
      const scheme = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
      const event = new HttpRequestServed(
        method,
        route,
        res.statusCode,
        seconds,
        errorType,
        scheme,
      );
      this.#options.recorder.registerEvent(event);
      scope?.recorder.registerEvent(event);
      return res.statusCode;
    };
    try {
      const hook = this.#options.requestHook;
      if (hook === undefined) await handle();
      else
        await hook({ method, route, path, headers: req.headers, connection: scope?.name }, handle);
    } catch {
      // A failing hook must not take the server down; the request has been answered or is dropped.
      if (!res.headersSent) this.#fail(res, undefined);
    }
  }

  async #route(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    route: string | undefined,
    rawId: string | undefined,
  ): Promise<void> {
    if (route === '/healthz') {
      if (method !== 'GET') throw new HttpError(405, 'Use GET.', { allow: 'GET' });
      return send(res, 200, 'ok\n');
    }
    if (rawId === undefined) throw new HttpError(404, 'Not found: use /documents/:id.');
    const id = decodeId(rawId);
    const storage = this.#options.storage;
    switch (method) {
      case 'PUT': {
        const body = await readBody(req, this.#maxBody);
        const result = await storage.save(id, body);
        return send(res, result === 'created' ? 201 : 200, `${result}\n`);
      }
      case 'GET': {
        const content = await storage.get(id);
        if (content === undefined) throw new HttpError(404, `No document "${id}".`);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(content);
        return;
      }
      case 'DELETE': {
        const existed = await storage.delete(id);
        if (!existed) throw new HttpError(404, `No document "${id}".`);
        res.writeHead(204);
        res.end();
        return;
      }
      default:
        throw new HttpError(405, 'Use PUT, GET or DELETE.', { allow: 'PUT, GET, DELETE' });
    }
  }

  #fail(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof HttpError) {
      send(res, error.status, `${error.message}\n`, error.headers);
    } else if (error instanceof InvalidDocumentError) {
      send(res, error.reason === 'too-large' ? 413 : 400, `${error.message}\n`);
    } else if (error instanceof StorageUnavailableError) {
      send(res, 503, 'Storage unavailable, retry later.\n', { 'retry-after': '1' });
    } else {
      send(res, 500, 'Internal error.\n');
    }
  }
}

// Errors the server answers on purpose (4xx, 503) carry no error type of their own: the status says it.
function unexpectedErrorType(error: unknown): string | undefined {
  if (error instanceof HttpError || error instanceof InvalidDocumentError) return undefined;
  if (error instanceof StorageUnavailableError) return undefined;
  return error instanceof Error ? error.constructor.name : '_OTHER';
}

function send(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}

function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // not valid percent-encoding: the storage refuses it as an invalid id
  }
}

/** Collects the body; past `limit` it rejects with 413 at once and discards the rest. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, `Bodies are limited to ${limit} bytes.`, { connection: 'close' });
  if (Number(req.headers['content-length']) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      const wasWithin = size <= limit;
      size += chunk.byteLength;
      if (size <= limit) chunks.push(chunk);
      else if (wasWithin) {
        chunks.length = 0;
        reject(tooLarge());
      }
    });
    req.on('end', () => {
      if (size <= limit) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}
