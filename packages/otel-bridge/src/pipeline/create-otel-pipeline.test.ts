import { MetricsWiringError } from '@mvx-metrics/core';
import { describe, expect, it } from 'vitest';
import { createOtelPipeline } from './create-otel-pipeline.js';

const quiet = { otlp: false, registerGlobals: false } as const;

describe('createOtelPipeline options', () => {
  it('rejects wiring mistakes with MetricsWiringError', async () => {
    await expect(createOtelPipeline({} as never)).rejects.toThrow(/serviceName/);
    await expect(
      createOtelPipeline({ serviceName: 's', prometheus: { port: 70_000 }, ...quiet }),
    ).rejects.toBeInstanceOf(MetricsWiringError);
    await expect(
      createOtelPipeline({ serviceName: 's', prometheus: false, otlp: { intervalMs: 0 } }),
    ).rejects.toThrow(/otlp\.intervalMs must be a positive number/);
    await expect(
      createOtelPipeline({ serviceName: 's', prometheus: false, ...quiet, shutdownTimeoutMs: -1 }),
    ).rejects.toThrow(/shutdownTimeoutMs/);
  });

  it('frees the Prometheus port when a later option is wrong', async () => {
    const first = await createOtelPipeline({
      serviceName: 's',
      prometheus: { host: '127.0.0.1', port: 0 },
      ...quiet,
    });
    const port = Number(new URL(first.prometheusUrl as string).port);
    await first.shutdown();
    await expect(
      createOtelPipeline({
        serviceName: 's',
        prometheus: { host: '127.0.0.1', port },
        otlp: { timeoutMs: Number.NaN },
        registerGlobals: false,
      }),
    ).rejects.toThrow(/otlp\.timeoutMs/);
    const again = await createOtelPipeline({
      serviceName: 's',
      prometheus: { host: '127.0.0.1', port },
      ...quiet,
    });
    expect(again.prometheusUrl).toBe(`http://127.0.0.1:${port}/metrics`);
    await again.shutdown();
  });

  it('serves only its endpoint and answers 404 elsewhere', async () => {
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      prometheus: { host: '127.0.0.1', port: 0, endpoint: 'scrape' },
      ...quiet,
    });
    try {
      const url = new URL(pipeline.prometheusUrl as string);
      expect(url.pathname).toBe('/scrape');
      expect((await fetch(url)).status).toBe(200);
      expect((await fetch(new URL('/metrics', url))).status).toBe(404);
    } finally {
      await pipeline.shutdown();
    }
  });
});
