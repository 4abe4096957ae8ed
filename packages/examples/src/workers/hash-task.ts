// The piscina task module: runs inside pool workers (piscina loads the compiled
// dist/workers/hash-task.js). One task = a few documents plus a recorder handle of its own.
import { connectRecorder, type RecorderHandle } from '@mvx-metrics/core/worker';
import { type Document, DocumentHasher } from './document-hasher.js';

/** What the owning thread sends with each task. */
export interface HashTask {
  documents: Document[];
  /** A fresh handle per task (its port is in the task's transfer list). */
  metrics: RecorderHandle;
}

/** Hashes the task's documents; its events reach the owning thread's recorder before it resolves. */
export default async function hashDocuments(task: HashTask): Promise<string[]> {
  const recorder = connectRecorder(task.metrics);
  try {
    const hasher = new DocumentHasher(recorder);
    return task.documents.map((document) => hasher.hash(document));
  } finally {
    // The task's events are processed on the owning thread before the result is returned, then
    // the task's connection is closed (a pool reuses the worker; the handle is per task).
    await recorder.flush();
    recorder.close();
  }
}
