import { counter, gauge, histogram, type Metric, upDownCounter } from '@mvx-metrics/core';
import {
  DocumentCountChanged,
  DocumentLookup,
  DocumentSaveAttempt,
  SAVE_OUTCOMES,
  StorageUsageMeasured,
} from '../storage/events.js';
import { DocumentSaveResultsMetric } from './save-results-metric.js';

/** Metric names of {@link storageMetrics}, for tests and views that read snapshots. */
export const STORAGE_METRICS = {
  saveAttempts: 'document.save.attempts',
  saveDuration: 'document.save.duration',
  saveResults: 'document.save.results',
  lookups: 'document.lookups',
  documentsStored: 'documents.stored',
  bytesStored: 'documents.stored.size',
} as const;

const outcomes = SAVE_OUTCOMES.map((outcome) => ({ outcome }));

/**
 * The metrics of a `DocumentStorage`: a fresh set per call, so each recorder owns its state.
 *
 * @example
 * runtime.createRecorder('document_storage', { metrics: storageMetrics });
 */
export function storageMetrics(): Metric[] {
  return [
    counter({
      name: STORAGE_METRICS.saveAttempts,
      description: 'Document save attempts by outcome (success, invalid, failure)',
      on: DocumentSaveAttempt,
      attributes: (e) => ({ outcome: e.outcome }),
      initial: outcomes,
    }),
    histogram({
      name: STORAGE_METRICS.saveDuration,
      description: 'Time to save a document, by outcome',
      unit: 's',
      on: DocumentSaveAttempt,
      attributes: (e) => ({ outcome: e.outcome }),
      value: (e) => e.seconds,
      initial: outcomes,
    }),
    new DocumentSaveResultsMetric(),
    counter({
      name: STORAGE_METRICS.lookups,
      description: 'Document reads by result (hit: the document existed)',
      on: DocumentLookup,
      attributes: (e) => ({ result: e.found ? 'hit' : 'miss' }),
      initial: [{ result: 'hit' }, { result: 'miss' }],
    }),
    upDownCounter({
      name: STORAGE_METRICS.documentsStored,
      description: 'Documents currently stored',
      unit: '{document}',
      on: DocumentCountChanged,
      value: (e) => e.delta,
    }),
    gauge({
      name: STORAGE_METRICS.bytesStored,
      description: 'Bytes of document content currently stored',
      unit: 'By',
      on: StorageUsageMeasured,
      value: (e) => e.bytes,
    }),
  ];
}
