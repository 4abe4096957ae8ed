import { MetricsRecorder } from '@mvx-metrics/core';
import { createTestRecorder } from '@mvx-metrics/core/testing';
import { describe, expect, test } from 'vitest';
import { HttpRequestServed } from '../http/events.js';
import { connectionMetrics, httpServerMetrics } from '../metrics/http-metrics.js';
import { storageMetrics } from '../metrics/storage-metrics.js';
import {
  DocumentCountChanged,
  DocumentSaveAttempt,
  StorageUsageMeasured,
} from '../storage/events.js';
import { renderFrame, renderLine } from './render.js';
import { ViewSampler } from './view-model.js';

function fixture() {
  const storage = createTestRecorder(storageMetrics(), { name: 'document_storage' });
  const http = createTestRecorder(httpServerMetrics(), { name: 'http_server' });
  const connection = createTestRecorder(connectionMetrics(), { name: 'connection-001' });
  let now = 0;
  const sampler = new ViewSampler(
    () => [storage, http, connection],
    { storage: 'document_storage', http: 'http_server', connectionPrefix: 'connection-' },
    { windowSeconds: 10, clock: () => now },
  );
  return { storage, http, connection, sampler, advance: (ms: number) => (now += ms) };
}

describe('ViewSampler', () => {
  test('derives rates from the change between samples', () => {
    const { http, sampler, advance } = fixture();
    sampler.sample();
    for (let i = 0; i < 30; i++)
      http.registerEvent(new HttpRequestServed('GET', '/documents/:id', 200, 0.001));
    for (let i = 0; i < 10; i++)
      http.registerEvent(new HttpRequestServed('PUT', '/documents/:id', 201, 0.001));
    advance(2000);
    const model = sampler.sample();
    expect(model.requests.total).toBe(40);
    expect(model.requests.perSecond).toBe(20);
    expect(model.requests.perSecondByMethod).toEqual({ GET: 15, PUT: 5 });
  });

  test('computes latency percentiles over the window only', () => {
    const { storage, sampler, advance } = fixture();
    for (let i = 0; i < 100; i++) storage.registerEvent(new DocumentSaveAttempt('success', 2)); // old, slow
    sampler.sample();
    advance(1000);
    for (let i = 0; i < 100; i++) storage.registerEvent(new DocumentSaveAttempt('success', 0.003));
    const model = sampler.sample();
    expect(model.latency?.count).toBe(100);
    expect(model.latency?.p99).toBeLessThanOrEqual(0.005);
    expect(model.latency?.sinceStart).toBe(false);
  });

  test('reads outcome totals, stored documents and bytes, recorders and pipeline stats', () => {
    const { storage, sampler } = fixture();
    storage.registerEvent(new DocumentSaveAttempt('success', 0.01));
    storage.registerEvent(new DocumentSaveAttempt('failure', 0.01));
    storage.registerEvent(new DocumentCountChanged(1));
    storage.registerEvent(new StorageUsageMeasured(2048));
    const model = sampler.sample();
    expect(model.saves.totals).toEqual({ success: 1, invalid: 0, failure: 1 });
    expect(model.documents).toBe(1);
    expect(model.bytes).toBe(2048);
    expect(model.recorders).toEqual({ alive: 3, connections: 1 });
    expect(model.pipeline).toMatchObject({ processed: 4, pending: 0, dropped: 0, failed: 0 });
  });

  test('lists the per-connection scopes alive with the requests each counted', () => {
    const { connection, sampler } = fixture();
    connection.registerEvent(new HttpRequestServed('GET', '/documents/:id', 200, 0.001));
    connection.registerEvent(new HttpRequestServed('PUT', '/documents/:id', 201, 0.001));
    const model = sampler.sample();
    expect(model.scopes).toEqual([{ name: 'connection-001', requests: 2 }]);
    const text = renderFrame(
      model,
      { title: 'T', instanceId: 'i', pointers: [] },
      { uptimeSeconds: 0, load: undefined, color: false, footer: '' },
    ).join('\n');
    expect(text).toContain('connection-001 2');
  });

  test('shows pending and dropped events of a recorder that has not processed yet', () => {
    const slow = new MetricsRecorder('document_storage', {
      metrics: storageMetrics(),
      maxPendingEvents: 2,
      onError: () => {},
    });
    const sampler = new ViewSampler(() => [slow], {
      storage: 'document_storage',
      http: 'http_server',
      connectionPrefix: 'connection-',
    });
    for (let i = 0; i < 5; i++) slow.registerEvent(new DocumentCountChanged(1)); // not started: nothing runs
    expect(sampler.sample().pipeline).toMatchObject({ pending: 2, dropped: 3 });
  });
});

describe('render', () => {
  test('a frame without colour has no escape codes and shows the figures', () => {
    const { storage, sampler } = fixture();
    storage.registerEvent(new DocumentSaveAttempt('success', 0.004));
    storage.registerEvent(new DocumentSaveAttempt('invalid', 0.001));
    const text = renderFrame(
      sampler.sample(),
      { title: 'T', instanceId: 'i-1', pointers: [['Prometheus', 'http://x/metrics']] },
      { uptimeSeconds: 65, load: undefined, color: false, footer: 'bye' },
    ).join('\n');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking for ANSI escapes
    expect(text).not.toMatch(/\x1b/);
    expect(text).toContain('instance i-1 · up 0:01:05');
    expect(text).toMatch(/success\s+50\.0%/);
    expect(text).toContain('http://x/metrics');
  });

  test('a frame shows scope churn and the latest problem when given', () => {
    const { sampler } = fixture();
    const text = renderFrame(
      sampler.sample(),
      { title: 'T', instanceId: 'i-1', pointers: [] },
      {
        uptimeSeconds: 1,
        load: undefined,
        color: false,
        footer: '',
        connectionsOpened: 5,
        problems: ['first', 'Metric "x" dropped value NaN'],
      },
    ).join('\n');
    expect(text).toContain('3 alive: 2 service + 1 per-connection  (5 opened, 4 removed)');
    expect(text).toContain('Problems   2, latest: Metric "x" dropped value NaN');
  });

  test('a plain line carries rate, outcome split, percentiles and pending/dropped', () => {
    const { storage, sampler } = fixture();
    storage.registerEvent(new DocumentSaveAttempt('success', 0.004));
    const line = renderLine(sampler.sample(), undefined);
    expect(line).toMatch(/req\/s .*saves success 100\.0%.*latency p50 .*pending 0 dropped 0/);
    expect(line).not.toContain('\n');
  });
});
