import { copyChange, describeMetric, type MetricChange } from '@mvx-metrics/core';
import { createTestRecorder } from '@mvx-metrics/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DocumentSaveAttempt, SAVE_OUTCOMES } from '../storage/events.js';
import { DocumentSaveResultsMetric } from './save-results-metric.js';

describe('DocumentSaveResultsMetric (hand-written)', () => {
  it('declares its descriptor, read without a snapshot', () => {
    const metric = new DocumentSaveResultsMetric();
    expect(describeMetric(metric)).toBe(metric.descriptor);
    expect(metric.descriptor).toMatchObject({
      name: 'document.save.results',
      kind: 'counter',
      selector: DocumentSaveAttempt,
    });
    expect(metric.descriptor.description).toBe(metric.snapshot().description);
  });

  it('fills in the update: each change names its point and the increment, and they fold into the snapshot', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SAVE_OUTCOMES), { maxLength: 50 }), (outcomes) => {
        const metric = new DocumentSaveResultsMetric();
        const recorder = createTestRecorder([metric]);
        const changes: MetricChange[] = [];
        recorder.onChange((change) => changes.push(copyChange(change)));
        for (const outcome of outcomes) recorder.registerEvent(new DocumentSaveAttempt(outcome, 0));
        expect(changes.map((c) => [c.attributes, c.value])).toEqual(
          outcomes.map((o) => [{ result: o === 'success' ? 'success' : 'failure' }, 1]),
        );
        const folded = new Map<string, number>();
        for (const c of changes) {
          const key = String(c.attributes?.result);
          folded.set(key, (folded.get(key) ?? 0) + (c.value ?? 0));
        }
        for (const point of metric.snapshot().points) {
          expect(folded.get(String(point.attributes.result)) ?? 0).toBe(point.value);
        }
      }),
    );
  });
});
