import { counter, histogram, type Metric } from '@mvx-metrics/core';
import type { DocumentHashed } from './document-hasher.js';

/** The metrics of the hashing recorder, selected by the event's `type` (events arrive cloned from workers). */
export const hashingMetrics = (): Metric[] => [
  counter<DocumentHashed>({
    name: 'documents.hashed',
    description: 'Documents hashed by the worker pool',
    on: 'document.hashed',
  }),
  counter<DocumentHashed>({
    name: 'documents.hashed.bytes',
    description: 'Bytes hashed by the worker pool',
    unit: 'By',
    on: 'document.hashed',
    value: (e) => e.bytes,
  }),
  histogram<DocumentHashed>({
    name: 'documents.compression.ratio',
    description: 'Compressed size over original size',
    on: 'document.hashed',
    value: (e) => (e.bytes === 0 ? 1 : e.compressedBytes / e.bytes),
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5],
  }),
  histogram<DocumentHashed>({
    name: 'documents.hash.duration',
    unit: 's',
    on: 'document.hashed',
    value: (e) => e.seconds,
  }),
];
