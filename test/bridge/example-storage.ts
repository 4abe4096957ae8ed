// The example service's real production class and metrics (packages/examples), driven with a
// deterministic clock so tests can assert exact durations. Tests use these, never a copy.
import type { MetricsRecorder } from '@mvx-metrics/core';
import { DocumentStorage, InvalidDocumentError, storageMetrics } from '@mvx-metrics/examples';

/** The example's storage metrics: a fresh set per call (pass as a recorder's `metrics` factory). */
export const documentMetrics = storageMetrics;

/** The example's `DocumentStorage`, each save taking exactly `seconds` on its clock. */
export class ExampleStorage {
  readonly storage: DocumentStorage;
  #durationMs = 0;
  #started = false;

  constructor(recorder: Pick<MetricsRecorder, 'registerEvent'>) {
    // save() reads the clock when it starts and when it registers the attempt
    const clock = (): number => {
      this.#started = !this.#started;
      return this.#started ? 0 : this.#durationMs;
    };
    this.storage = new DocumentStorage(recorder, { clock });
  }

  /** Saves `content`; an id the example refuses (`''`) resolves to `'invalid'` (outcome `invalid`). */
  async save(id: string, content: string, seconds = 0.002): Promise<string> {
    this.#durationMs = seconds * 1000;
    try {
      return await this.storage.save(id, content);
    } catch (error) {
      if (error instanceof InvalidDocumentError) return 'invalid';
      throw error;
    }
  }

  /** Reads `id` (a `document.lookups` hit or miss). */
  get(id: string): Promise<Uint8Array | undefined> {
    return this.storage.get(id);
  }

  /** Deletes `id` (`documents.stored` goes down by one if it existed). */
  delete(id: string): Promise<boolean> {
    return this.storage.delete(id);
  }
}
