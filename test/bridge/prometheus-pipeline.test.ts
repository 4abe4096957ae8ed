import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { counter, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary, parseSamples, promtoolCheck } from '../support/prometheus.js';
import { documentMetrics, ExampleStorage } from './example-storage.js';
import { collectErrors } from './helpers.js';

const promtool = findBinary('promtool');

const TRICKY = 'say "hi" \\ C:\\path\nsecond line';

describe('Prometheus pipeline over real HTTP', () => {
  let pipeline: OtelPipeline;
  let runtime: MetricsRuntime;
  let billing: MetricsRuntime;
  let detach: () => void;
  let detachBilling: () => void;
  const errors = collectErrors();

  beforeAll(async () => {
    pipeline = await createOtelPipeline({
      serviceName: 'document-service',
      serviceInstanceId: 'instance-1',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: false,
    });
    runtime = new MetricsRuntime({ namespace: 'docs', onError: errors.onError });
    runtime.start();
    // no options: the global provider is the pipeline's, so the bridge feeds its producer
    const bridge = attachOtelBridge(runtime);
    expect(bridge.mode).toBe('producer');
    detach = bridge.detach;
    // a second runtime on the same pipeline: its self-telemetry joins the same families
    billing = new MetricsRuntime({
      namespace: 'billing',
      scheduler: 'sync',
      onError: errors.onError,
    });
    billing.start();
    detachBilling = attachOtelBridge(billing, { meterProvider: pipeline.meterProvider }).detach;
    billing
      .createRecorder('invoices', {
        metrics: () => [counter({ name: 'invoices.sent', on: 'sent' })],
      })
      .registerEvent({ type: 'sent' });
  });

  afterAll(async () => {
    await runtime?.shutdown();
    await billing?.shutdown();
    await pipeline?.shutdown();
    detach?.();
    detachBilling?.();
    expect(errors.unexpected()).toEqual([]);
  });

  async function scrape(): Promise<string> {
    const url = pipeline.prometheusUrl;
    if (url === undefined) throw new Error('no prometheusUrl');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return response.text();
  }

  it('serves what was registered right before the scrape, with the documented names', async () => {
    const storage = new ExampleStorage(
      runtime.createRecorder('document_storage', { metrics: documentMetrics }),
    );
    await storage.save('a', 'hello', 0.004);
    await storage.save('b', 'hello', 0.2);
    await storage.save('', 'x');
    await storage.get('a');
    const samples = parseSamples(await scrape());
    const find = (name: string, labels: Record<string, string> = {}) =>
      samples.filter(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      );
    expect(
      find('docs_document_save_attempts_total', {
        outcome: 'success',
        recorder: 'document_storage',
      })[0]?.value,
    ).toBe(2);
    expect(find('docs_document_save_attempts_total', { outcome: 'invalid' })[0]?.value).toBe(1);
    expect(find('docs_document_save_attempts_total', { outcome: 'failure' })[0]?.value).toBe(0);
    const success = { outcome: 'success' };
    expect(find('docs_document_save_duration_seconds_count', success)[0]?.value).toBe(2);
    expect(find('docs_document_save_duration_seconds_sum', success)[0]?.value).toBeCloseTo(0.204);
    expect(
      find('docs_document_save_duration_seconds_bucket', { ...success, le: '0.005' })[0]?.value,
    ).toBe(1);
    expect(
      find('docs_document_save_duration_seconds_bucket', { ...success, le: '+Inf' })[0]?.value,
    ).toBe(2);
    // the example's hand-written counter: anything but success is a failure there
    expect(find('docs_document_save_results_total', { result: 'success' })[0]?.value).toBe(2);
    expect(find('docs_document_save_results_total', { result: 'failure' })[0]?.value).toBe(1);
    expect(find('docs_document_lookups_total', { result: 'hit' })[0]?.value).toBe(1);
    expect(find('docs_documents_stored')[0]?.value).toBe(2);
    expect(find('docs_documents_stored_size_bytes')[0]?.value).toBe(10);
    expect(
      find('mvx_recorder_events_total', { outcome: 'accepted', recorder: 'document_storage' })[0]
        ?.value,
    ).toBe(8);
    expect(find('target_info')[0]?.labels).toMatchObject({
      service_name: 'document-service',
      service_instance_id: 'instance-1',
    });
    expect(find('billing_invoices_sent_total')[0]?.value).toBe(1);
    expect(
      find('mvx_recorder_events_total', { outcome: 'accepted', mvx_namespace: 'billing' })[0]
        ?.value,
    ).toBe(1);
    // never twice: every series (name + labels) appears exactly once, every family once
    const body = samples.length > 0 ? await scrape() : '';
    const types = body.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
    const keys = samples.map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps label values with quotes, backslashes and newlines intact', async () => {
    const recorder = runtime.createRecorder('tricky', {
      metrics: () => [
        counter({
          name: 'tricky.events',
          on: 'tricky',
          attributes: (e: { label: string }) => ({ label: e.label }),
        }),
      ],
    });
    recorder.registerEvent({ type: 'tricky', label: TRICKY });
    const samples = parseSamples(await scrape());
    const sample = samples.find((s) => s.name === 'docs_tricky_events_total');
    expect(sample?.labels.label).toBe(TRICKY);
    expect(sample?.value).toBe(1);
  });

  it.skipIf(promtool === undefined)(
    'passes promtool check metrics with no lint findings',
    async () => {
      const body = await scrape();
      const { status, output } = promtoolCheck(promtool as string, body);
      expect(output).toBe('');
      expect(status).toBe(0);
    },
  );

  it('drops a removed recorder’s series from the next scrape', async () => {
    await new ExampleStorage(runtime.createRecorder('conn-9', { metrics: documentMetrics })).save(
      'z',
      'z',
    );
    expect(await scrape()).toContain('recorder="conn-9"');
    await runtime.removeRecorder('conn-9');
    expect(await scrape()).not.toContain('recorder="conn-9"');
  });
});

describe('Prometheus port already in use', () => {
  it('rejects with a message naming the port and the fix, and does not crash', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      await expect(
        createOtelPipeline({
          serviceName: 's',
          prometheus: { host: '127.0.0.1', port },
          otlp: false,
          registerGlobals: false,
        }),
      ).rejects.toThrow(new RegExp(`port ${port} is already in use.*prometheus: \\{ port`));
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
