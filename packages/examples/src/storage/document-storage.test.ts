import { createTestRecorder, histogramPoint, pointValue } from '@mvx-metrics/core/testing';
import { describe, expect, test } from 'vitest';
import { STORAGE_METRICS, storageMetrics } from '../metrics/storage-metrics.js';
import { InMemoryBackend, SimulatedBackend } from './backend.js';
import {
  DocumentStorage,
  InvalidDocumentError,
  StorageUnavailableError,
} from './document-storage.js';

const M = STORAGE_METRICS;

function setup(options: { failWrite?: (id: string) => boolean; clock?: () => number } = {}) {
  const recorder = createTestRecorder(storageMetrics(), { name: 'document_storage' });
  const backend = new SimulatedBackend(
    new InMemoryBackend(),
    options.failWrite ? { failWrite: options.failWrite } : {},
  );
  const storage = new DocumentStorage(recorder, {
    backend,
    maxDocumentBytes: 16,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { recorder, storage };
}

describe('DocumentStorage', () => {
  // Shown in docs/testing.md: keep the two in step.
  test('counts each save attempt by outcome', async () => {
    const recorder = createTestRecorder(storageMetrics());
    const storage = new DocumentStorage(recorder);

    await storage.save('invoice-42', 'hello');
    await expect(storage.save('invoice-42', '')).rejects.toThrow(InvalidDocumentError);

    expect(pointValue(recorder, 'document.save.attempts', { outcome: 'success' })).toBe(1);
    expect(pointValue(recorder, 'document.save.attempts', { outcome: 'invalid' })).toBe(1);
    expect(pointValue(recorder, 'document.save.attempts', { outcome: 'failure' })).toBe(0);
    expect(pointValue(recorder, 'documents.stored')).toBe(1);
    expect(recorder.errors).toEqual([]);
  });

  test('counts a successful save and nothing else', async () => {
    const { recorder, storage } = setup();
    await expect(storage.save('a', 'hello')).resolves.toBe('created');
    expect(pointValue(recorder, M.saveAttempts, { outcome: 'success' })).toBe(1);
    expect(pointValue(recorder, M.saveAttempts, { outcome: 'invalid' })).toBe(0);
    expect(pointValue(recorder, M.saveAttempts, { outcome: 'failure' })).toBe(0);
    expect(recorder.errors).toEqual([]);
  });

  test('counts a refused document as invalid and throws InvalidDocumentError', async () => {
    const { recorder, storage } = setup();
    await expect(storage.save('bad id', 'x')).rejects.toMatchObject({ reason: 'invalid-id' });
    await expect(storage.save('a', '')).rejects.toMatchObject({ reason: 'empty' });
    await expect(storage.save('a', 'x'.repeat(17))).rejects.toBeInstanceOf(InvalidDocumentError);
    expect(pointValue(recorder, M.saveAttempts, { outcome: 'invalid' })).toBe(3);
    expect(pointValue(recorder, M.documentsStored)).toBe(0);
  });

  test('counts a backend failure as failure and throws StorageUnavailableError', async () => {
    const { recorder, storage } = setup({ failWrite: (id) => id.startsWith('faulty-') });
    await expect(storage.save('faulty-1', 'x')).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(pointValue(recorder, M.saveAttempts, { outcome: 'failure' })).toBe(1);
    expect(await storage.get('faulty-1')).toBeUndefined();
  });

  test('keeps documents stored and bytes stored in step with creates, replaces and deletes', async () => {
    const { recorder, storage } = setup();
    await storage.save('a', '12345');
    await storage.save('b', '123');
    await storage.save('a', '1'); // replace: count unchanged, bytes shrink
    expect(pointValue(recorder, M.documentsStored)).toBe(2);
    expect(pointValue(recorder, M.bytesStored)).toBe(4);
    expect(await storage.delete('b')).toBe(true);
    expect(await storage.delete('b')).toBe(false);
    expect(pointValue(recorder, M.documentsStored)).toBe(1);
    expect(pointValue(recorder, M.bytesStored)).toBe(1);
    expect(storage.documentCount).toBe(1);
    expect(storage.byteCount).toBe(1);
  });

  test('counts one new document when two saves of the same id overlap', async () => {
    const { recorder, storage } = setup();
    await Promise.all([storage.save('a', 'one'), storage.save('a', 'two')]);
    expect(pointValue(recorder, M.documentsStored)).toBe(1);
    expect(pointValue(recorder, M.bytesStored)).toBe(3);
  });

  test('records save latency in seconds from the injected clock', async () => {
    let now = 1000;
    const clock = () => {
      const t = now;
      now += 30; // every reading is 30 ms after the previous one
      return t;
    };
    const { recorder, storage } = setup({ clock });
    await storage.save('a', 'x');
    const point = histogramPoint(recorder, M.saveDuration, { outcome: 'success' });
    expect(point?.count).toBe(1);
    expect(point?.sum).toBeCloseTo(0.03, 9);
    expect(point?.boundaries[0]).toBe(0.005); // seconds buckets, because unit is 's'
  });

  test('counts lookups as hits and misses', async () => {
    const { recorder, storage } = setup();
    await storage.save('a', 'x');
    expect(Buffer.from((await storage.get('a')) ?? []).toString()).toBe('x');
    expect(await storage.get('nope')).toBeUndefined();
    expect(await storage.get('not valid')).toBeUndefined();
    expect(pointValue(recorder, M.lookups, { result: 'hit' })).toBe(1);
    expect(pointValue(recorder, M.lookups, { result: 'miss' })).toBe(2);
  });

  test('feeds the hand-written metric: total, success and failure in one object', async () => {
    const { recorder, storage } = setup({ failWrite: (id) => id === 'broken' });
    await storage.save('a', 'x');
    await storage.save('b', 'y');
    await storage.save('', 'z').catch(() => {});
    await storage.save('broken', 'z').catch(() => {});
    const snapshot = recorder.getMetricSnapshots().find((s) => s.name === M.saveResults);
    expect(snapshot).toMatchObject({ kind: 'counter', total: 4, success: 2, failure: 2 });
    expect(pointValue(recorder, M.saveResults, { result: 'success' })).toBe(2);
    expect(pointValue(recorder, M.saveResults, { result: 'failure' })).toBe(2);
  });
});
