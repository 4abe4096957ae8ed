// The names DESIGN.md makes public are importable from the package entry points.
import * as core from '@mvx-metrics/core';
import * as testing from '@mvx-metrics/core/testing';
import { describe, expect, it } from 'vitest';

describe('public API of @mvx-metrics/core', () => {
  it('exports the contract names from the main entry', () => {
    for (const name of [
      'MetricEvent',
      'counter',
      'upDownCounter',
      'gauge',
      'histogram',
      'MetricsRecorder',
      'MetricsRuntime',
      'MetricsError',
      'MetricsWiringError',
      'findPoint',
      'createImmediateScheduler',
      'createSyncScheduler',
      'describeError',
    ]) {
      expect(typeof (core as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(core.DEFAULT_MAX_PENDING_EVENTS).toBe(65_536);
  });

  it('exports the testing kit from the ./testing subpath', () => {
    for (const name of ['createTestRecorder', 'pointValue', 'histogramPoint', 'findPoint']) {
      expect(typeof (testing as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('wires a runtime end to end through the public entry points only', async () => {
    class DocumentSaveAttempt extends core.MetricEvent {
      constructor(readonly outcome: 'success' | 'failure') {
        super();
      }
    }
    const runtime = new core.MetricsRuntime({ namespace: 'docs', onError: () => {} });
    runtime.start();
    const recorder = runtime.createRecorder('document_storage', {
      metrics: () => [
        core.counter({
          name: 'document.save.attempts',
          on: DocumentSaveAttempt,
          attributes: (e) => ({ outcome: e.outcome }),
          initial: [{ outcome: 'success' }, { outcome: 'failure' }],
        }),
      ],
    });
    recorder.registerEvent(new DocumentSaveAttempt('success'));
    await runtime.shutdown();
    expect(testing.pointValue(recorder, 'document.save.attempts', { outcome: 'success' })).toBe(1);
    expect(testing.pointValue(recorder, 'document.save.attempts', { outcome: 'failure' })).toBe(0);
  });
});
