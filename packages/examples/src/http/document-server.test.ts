import { Agent, request } from 'node:http';
import {
  createTestRecorder,
  exponentialHistogramPoint,
  histogramPoint,
  pointValue,
} from '@mvx-metrics/core/testing';
import { afterEach, describe, expect, test } from 'vitest';
import { connectionMetrics, HTTP_METRICS, httpServerMetrics } from '../metrics/http-metrics.js';
import { STORAGE_METRICS, storageMetrics } from '../metrics/storage-metrics.js';
import { InMemoryBackend, SimulatedBackend } from '../storage/backend.js';
import { DocumentStorage } from '../storage/document-storage.js';
import { type ConnectionScope, DocumentServer, type RequestInfo } from './document-server.js';

const servers: DocumentServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(100)));
});

async function start(options: { hook?: (info: RequestInfo) => void } = {}) {
  const storageRecorder = createTestRecorder(storageMetrics());
  const httpRecorder = createTestRecorder(httpServerMetrics());
  const scopes: {
    name: string;
    closed: boolean;
    recorder: ReturnType<typeof createTestRecorder>;
  }[] = [];
  const storage = new DocumentStorage(storageRecorder, {
    backend: new SimulatedBackend(new InMemoryBackend(), { failWrite: (id) => id === 'faulty' }),
    maxDocumentBytes: 64,
  });
  const server = new DocumentServer({
    storage,
    recorder: httpRecorder,
    maxBodyBytes: 1024,
    openConnectionScope: (): ConnectionScope => {
      const scope = {
        name: `connection-${scopes.length + 1}`,
        closed: false,
        recorder: createTestRecorder(connectionMetrics()),
      };
      scopes.push(scope);
      return { ...scope, close: () => (scope.closed = true) };
    },
    ...(options.hook
      ? {
          requestHook: async (info: RequestInfo, handle: () => Promise<number>) => {
            options.hook?.(info);
            await handle();
          },
        }
      : {}),
  });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, storageRecorder, httpRecorder, scopes };
}

function call(
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('DocumentServer', () => {
  test('stores, reads, replaces and deletes a document', async () => {
    const { port } = await start();
    expect((await call(port, 'PUT', '/documents/a', 'hello')).status).toBe(201);
    expect(await call(port, 'GET', '/documents/a')).toEqual({ status: 200, text: 'hello' });
    expect((await call(port, 'PUT', '/documents/a', 'again')).status).toBe(200);
    expect((await call(port, 'DELETE', '/documents/a')).status).toBe(204);
    expect((await call(port, 'GET', '/documents/a')).status).toBe(404);
    expect((await call(port, 'DELETE', '/documents/a')).status).toBe(404);
  });

  test('answers 4xx for invalid documents and 503 for storage failures, counting each save attempt', async () => {
    const { port, storageRecorder } = await start();
    expect((await call(port, 'PUT', '/documents/a', '')).status).toBe(400);
    expect((await call(port, 'PUT', '/documents/bad%20id', 'x')).status).toBe(400);
    expect((await call(port, 'PUT', '/documents/%E0%A4%A', 'x')).status).toBe(400);
    expect((await call(port, 'PUT', '/documents/a', 'x'.repeat(65))).status).toBe(413);
    expect((await call(port, 'PUT', '/documents/faulty', 'x')).status).toBe(503);
    const attempts = (outcome: string) =>
      pointValue(storageRecorder, STORAGE_METRICS.saveAttempts, { outcome });
    expect([attempts('success'), attempts('invalid'), attempts('failure')]).toEqual([0, 4, 1]);
  });

  test('refuses bodies above maxBodyBytes without a save attempt', async () => {
    const { port, storageRecorder } = await start();
    expect((await call(port, 'PUT', '/documents/a', 'x'.repeat(2000))).status).toBe(413);
    expect(pointValue(storageRecorder, STORAGE_METRICS.saveAttempts, { outcome: 'invalid' })).toBe(
      0,
    );
  });

  test('answers 404 for unknown paths and 405 for other methods', async () => {
    const { port, httpRecorder } = await start();
    expect((await call(port, 'GET', '/nothing')).status).toBe(404);
    expect((await call(port, 'POST', '/documents/a', 'x')).status).toBe(405);
    expect((await call(port, 'GET', '/healthz')).status).toBe(200);
    const served = (attributes: Record<string, string | number>) =>
      // url.scheme: required by the conventions; the test server speaks plain HTTP
      histogramPoint(httpRecorder, HTTP_METRICS.requestDuration, {
        'url.scheme': 'http',
        ...attributes,
      })?.count;
    // semantic conventions: no http.route when no route matched
    expect(served({ 'http.request.method': 'GET', 'http.response.status_code': 404 })).toBe(1);
    expect(
      served({
        'http.request.method': 'POST',
        'http.route': '/documents/:id',
        'http.response.status_code': 405,
      }),
    ).toBe(1);
    expect(
      served({
        'http.request.method': 'GET',
        'http.route': '/healthz',
        'http.response.status_code': 200,
      }),
    ).toBe(1);
    // The status code is the int the semantic conventions define (over OTLP too), not "404".
    const codes = httpRecorder
      .getMetricSnapshots()
      .find((s) => s.name === HTTP_METRICS.requestDuration)
      ?.points.map((p) => p.attributes['http.response.status_code']);
    expect(codes?.sort()).toEqual([200, 404, 405]);
  });

  test('the request latency is also an exponential histogram: the same series, counts and sums', async () => {
    const { port, httpRecorder } = await start();
    for (let i = 0; i < 3; i++) expect((await call(port, 'GET', '/healthz')).status).toBe(200);
    expect((await call(port, 'GET', '/nothing')).status).toBe(404);
    const explicit = httpRecorder
      .getMetricSnapshots()
      .find((m) => m.name === HTTP_METRICS.requestDuration);
    const exponential = httpRecorder
      .getMetricSnapshots()
      .find((m) => m.name === HTTP_METRICS.requestLatency);
    expect(exponential?.kind).toBe('exponentialHistogram');
    expect(exponential?.unit).toBe('s');
    expect(exponential?.points.map((p) => p.attributes)).toEqual(
      explicit?.points.map((p) => p.attributes),
    );
    for (const p of explicit?.points ?? []) {
      const e = exponentialHistogramPoint(httpRecorder, HTTP_METRICS.requestLatency, p.attributes);
      const h = histogramPoint(httpRecorder, HTTP_METRICS.requestDuration, p.attributes);
      expect(e?.count).toBe(h?.count);
      expect(e?.sum).toBe(h?.sum);
      expect(e?.min).toBe(h?.min);
      expect(e?.max).toBe(h?.max);
      // every observation sits in a bucket (durations are positive: nothing below zero)
      const inBuckets = (e?.positive.bucketCounts ?? []).reduce((a, b) => a + b, 0);
      expect(inBuckets + (e?.zeroCount ?? 0)).toBe(h?.count);
    }
    const healthz = exponentialHistogramPoint(httpRecorder, HTTP_METRICS.requestLatency, {
      'url.scheme': 'http',
      'http.request.method': 'GET',
      'http.route': '/healthz',
      'http.response.status_code': 200,
    });
    expect(healthz?.count).toBe(3);
  });

  test('a failed request carries error.type (the 5xx status); unknown methods are _OTHER', async () => {
    const { port, httpRecorder } = await start();
    expect((await call(port, 'PUT', '/documents/faulty', 'x')).status).toBe(503);
    expect((await call(port, 'PROPFIND', '/documents/a')).status).toBe(405);
    const point = (attributes: Record<string, string | number>) =>
      // url.scheme: required by the conventions; the test server speaks plain HTTP
      histogramPoint(httpRecorder, HTTP_METRICS.requestDuration, {
        'url.scheme': 'http',
        ...attributes,
      })?.count;
    expect(
      point({
        'http.request.method': 'PUT',
        'http.route': '/documents/:id',
        'http.response.status_code': 503,
        'error.type': '503',
      }),
    ).toBe(1);
    // an unknown method is _OTHER; a 4xx is the client's error: no error.type on the server
    expect(
      point({
        'http.request.method': '_OTHER',
        'http.route': '/documents/:id',
        'http.response.status_code': 405,
      }),
    ).toBe(1);
  });

  test('opens one scope per connection, counts its requests there, and closes it with the socket', async () => {
    const { port, scopes } = await start();
    await call(port, 'PUT', '/documents/a', 'x');
    await call(port, 'GET', '/documents/a');
    expect(scopes.map((s) => s.name)).toEqual(['connection-1', 'connection-2']);
    await expect.poll(() => scopes.every((s) => s.closed)).toBe(true);
    expect(
      pointValue(scopes[0]!.recorder, HTTP_METRICS.connectionRequests, {
        'http.request.method': 'PUT',
      }),
    ).toBe(1);
    expect(
      pointValue(scopes[1]!.recorder, HTTP_METRICS.connectionRequests, {
        'http.request.method': 'GET',
      }),
    ).toBe(1);
  });

  test('close() resolves only once every connection scope is closed, idle keep-alive ones included', async () => {
    const { server, port, scopes } = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    const get = () =>
      new Promise<void>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('error', reject)
          .end();
      });
    await Promise.all([get(), get()]);
    expect(scopes.length).toBe(2);
    expect(scopes.some((s) => s.closed)).toBe(false);
    agent.destroy(); // the client goes away; the server may not have noticed yet
    await server.close(1000);
    expect(scopes.every((s) => s.closed)).toBe(true);
  });

  test('runs the request hook around each request with the route template', async () => {
    const seen: string[] = [];
    const { port } = await start({ hook: (info) => seen.push(`${info.method} ${info.route}`) });
    await call(port, 'PUT', '/documents/a', 'x');
    await call(port, 'GET', '/healthz');
    expect(seen).toEqual(['PUT /documents/:id', 'GET /healthz']);
  });
});
