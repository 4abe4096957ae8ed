import { createServer, type Server } from 'node:http';
import { type AddressInfo, Server as NetServer } from 'node:net';
import { counter, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { probe } from './probe-client.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A pipeline with no server of its own and a bridged runtime (not started: /readyz is 503). */
async function mountable(prometheus: { listen: false } | false = { listen: false }) {
  const listens = vi.spyOn(NetServer.prototype, 'listen');
  const pipeline = await createOtelPipeline({
    serviceName: 'mounted',
    prometheus,
    otlp: false,
    registerGlobals: false,
  });
  cleanup.push(() => pipeline.shutdown());
  expect(pipeline.prometheusUrl).toBeUndefined();
  expect(listens).not.toHaveBeenCalled(); // runs no server of its own
  listens.mockRestore();
  const runtime = new MetricsRuntime({ namespace: 'docs', scheduler: 'sync', onError: () => {} });
  cleanup.push(() => runtime.shutdown());
  const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
  cleanup.push(async () => bridge.detach());
  runtime
    .createRecorder('storage', { metrics: [counter({ name: 'saves', on: 'save' })] })
    .registerEvent({ type: 'save' });
  return { pipeline, runtime };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** What every mounting must give: the three paths, negotiation, the app's own routes untouched. */
async function expectServed(base: string, runtime: MetricsRuntime, appRoute?: string) {
  const notReady = await probe(base, '/readyz');
  expect(notReady.status).toBe(503);
  expect(notReady.body?.reasons).toEqual(['runtime "docs" is initializing']);
  runtime.start();
  expect((await probe(base, '/readyz')).status).toBe(200);
  expect((await probe(base, '/healthz')).body?.status).toBe('ok');
  const text = await probe(base, '/metrics');
  expect(text.status).toBe(200);
  expect(text.contentType).toMatch(/^text\/plain/);
  expect(text.text).toMatch(/^docs_saves_total\{recorder="storage",[^}]*\} 1$/m);
  expect(text.text).toMatch(/^mvx_runtime_state\{mvx_namespace="docs",state="running",[^}]*\} 1$/m);
  const om = await probe(base, '/metrics', {
    headers: { accept: 'application/openmetrics-text; version=1.0.0' },
  });
  expect(om.contentType).toMatch(/^application\/openmetrics-text/);
  expect(om.text.trimEnd().endsWith('# EOF')).toBe(true);
  if (appRoute !== undefined) {
    const own = await probe(base, appRoute);
    expect(own.status).toBe(200);
    expect(own.text).toBe('hello');
  }
  expect((await probe(base, '/nowhere')).status).toBe(404);
}

describe('pipeline.requestHandler mounted on your own server', () => {
  it('node:http: serves /metrics, /healthz, /readyz and 404 elsewhere', async () => {
    const { pipeline, runtime } = await mountable();
    // recipe: node:http
    const server = createServer(pipeline.requestHandler);
    // end recipe
    await expectServed(await listen(server), runtime);
  });

  it('node:http with prometheus: false: the probes, and 404 for /metrics', async () => {
    const { pipeline, runtime } = await mountable(false);
    const base = await listen(createServer(pipeline.requestHandler));
    runtime.start();
    expect((await probe(base, '/readyz')).status).toBe(200);
    expect((await probe(base, '/healthz')).status).toBe(200);
    expect((await probe(base, '/metrics')).status).toBe(404);
  });

  it('node:http beside your own routes: next is called for everything else', async () => {
    const { pipeline, runtime } = await mountable();
    // recipe: node:http beside routes
    const server = createServer((request, response) => {
      pipeline.requestHandler(request, response, () => {
        if (request.url === '/hello') response.end('hello');
        else {
          response.statusCode = 404;
          response.end();
        }
      });
    });
    // end recipe
    await expectServed(await listen(server), runtime, '/hello');
  });

  it('Express', async () => {
    const { pipeline, runtime } = await mountable();
    // recipe: Express
    const app = express();
    app.use(pipeline.requestHandler); // /metrics, /healthz, /readyz; next() for the rest
    app.get('/hello', (_req, res) => {
      res.send('hello');
    });
    // end recipe
    await expectServed(await listen(createServer(app)), runtime, '/hello');
  });

  it('Express under a path prefix', async () => {
    const { pipeline, runtime } = await mountable();
    const app = express();
    app.use('/ops', pipeline.requestHandler);
    const base = await listen(createServer(app));
    runtime.start();
    expect((await probe(base, '/ops/readyz')).status).toBe(200);
    expect((await probe(base, '/ops/metrics')).text).toMatch(/docs_saves_total/);
    expect((await probe(base, '/readyz')).status).toBe(404);
  });

  it('Fastify', async () => {
    const { pipeline, runtime } = await mountable();
    // recipe: Fastify
    const app = Fastify();
    for (const path of ['/metrics', '/healthz', '/readyz']) {
      app.get(path, (request, reply) => {
        reply.hijack(); // the handler writes the raw response itself
        pipeline.requestHandler(request.raw, reply.raw);
      });
    }
    app.get('/hello', async () => 'hello');
    // end recipe
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanup.push(() => app.close());
    const { port } = app.server.address() as AddressInfo;
    await expectServed(`http://127.0.0.1:${port}`, runtime, '/hello');
    const head = await fetch(`http://127.0.0.1:${port}/readyz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('Koa', async () => {
    const { pipeline, runtime } = await mountable();
    // recipe: Koa
    const app = new Koa();
    app.use(async (ctx, next) => {
      let passed = false;
      pipeline.requestHandler(ctx.req, ctx.res, () => {
        passed = true; // called synchronously for paths it does not serve
      });
      if (passed) return next();
      ctx.respond = false; // the handler writes the raw response itself
    });
    app.use((ctx) => {
      if (ctx.path === '/hello') ctx.body = 'hello';
    });
    // end recipe
    await expectServed(await listen(createServer(app.callback())), runtime, '/hello');
  });

  it('keeps serving every probe while many requests arrive at once on each framework path', async () => {
    const { pipeline, runtime }: { pipeline: OtelPipeline; runtime: MetricsRuntime } =
      await mountable();
    runtime.start();
    const base = await listen(createServer(pipeline.requestHandler));
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        probe(base, ['/metrics', '/healthz', '/readyz'][i % 3] as string),
      ),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });
});
