// The three pieces the docs show (production class, wiring, unit test: README.md and
// docs/instrumenting.md, docs/testing.md), kept runnable here against the source, so the API they
// use cannot drift without a red test. test/docs/ runs the README's own blocks too.
import {
  counter,
  histogram,
  MetricEvent,
  type MetricsRecorder,
  MetricsRuntime,
} from '@mvx-metrics/core';
import { createTestRecorder, histogramPoint, pointValue } from '@mvx-metrics/core/testing';
import { describe, expect, it } from 'vitest';

// --- production code (README, docs/instrumenting.md) ---
class DocumentSaveAttempt extends MetricEvent {
  constructor(
    readonly outcome: 'success' | 'failure',
    readonly seconds: number,
  ) {
    super();
  }
}

class DocumentStorage {
  readonly #docs = new Map<string, string>();
  constructor(private readonly metrics: Pick<MetricsRecorder, 'registerEvent'>) {}

  save(id: string, content: string): void {
    const started = performance.now();
    try {
      this.#docs.set(id, content);
      this.metrics.registerEvent(
        new DocumentSaveAttempt('success', (performance.now() - started) / 1000),
      );
    } catch (error) {
      this.metrics.registerEvent(
        new DocumentSaveAttempt('failure', (performance.now() - started) / 1000),
      );
      throw error;
    }
  }
}

// --- wiring (README, docs/wiring-the-bridge.md) ---
const storageMetrics = () => [
  counter({
    name: 'document.save.attempts',
    description: 'Document save attempts by outcome',
    on: DocumentSaveAttempt,
    attributes: (e) => ({ outcome: e.outcome }),
    initial: [{ outcome: 'success' }, { outcome: 'failure' }],
  }),
  histogram({
    name: 'document.save.duration',
    unit: 's',
    on: DocumentSaveAttempt,
    value: (e) => e.seconds,
  }),
];

describe('README example', () => {
  it('counts a successful save (README, docs/testing.md)', () => {
    const recorder = createTestRecorder(storageMetrics());
    new DocumentStorage(recorder).save('a', 'hello');
    expect(pointValue(recorder, 'document.save.attempts', { outcome: 'success' })).toBe(1);
    expect(pointValue(recorder, 'document.save.attempts', { outcome: 'failure' })).toBe(0);
    expect(recorder.errors).toEqual([]);
  });

  it('wires a runtime that drains every recorder on shutdown', async () => {
    const runtime = new MetricsRuntime({ namespace: 'docs' });
    runtime.start();
    const recorder = runtime.createRecorder('document_storage', { metrics: storageMetrics });
    const storage = new DocumentStorage(recorder);
    for (let i = 0; i < 5; i++) storage.save(`doc-${i}`, 'hello');
    await runtime.shutdown();
    expect(pointValue(recorder, 'document.save.attempts', { outcome: 'success' })).toBe(5);
    const duration = histogramPoint(recorder, 'document.save.duration');
    expect(duration?.count).toBe(5);
    expect(duration?.boundaries[0]).toBe(0.005);
    expect(recorder.getMetricSnapshots()[0]?.description).toBe('Document save attempts by outcome');
  });
});
