import type { MetricsRecorder } from '@mvx-metrics/core';
import { type DocumentBackend, InMemoryBackend } from './backend.js';
import {
  DocumentCountChanged,
  DocumentLookup,
  DocumentSaveAttempt,
  type SaveOutcome,
  StorageUsageMeasured,
} from './events.js';

/** Why a document was refused. */
export type InvalidDocumentReason = 'invalid-id' | 'empty' | 'too-large';

/** A save refused by validation; the service answers 4xx. */
export class InvalidDocumentError extends Error {
  constructor(
    readonly reason: InvalidDocumentReason,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidDocumentError';
  }
}

/** A save the backend could not complete; the service answers 5xx. */
export class StorageUnavailableError extends Error {
  constructor(id: string, options: { cause: unknown }) {
    super(`Could not store document "${id}"`, options);
    this.name = 'StorageUnavailableError';
  }
}

/** Options of {@link DocumentStorage}. */
export interface DocumentStorageOptions {
  backend?: DocumentBackend;
  /** Largest accepted document, in bytes (default 64 KiB). */
  maxDocumentBytes?: number;
  /** Monotonic milliseconds, for the save latency (default `performance.now`). */
  clock?: () => number;
}

/** Ids are 1 to 128 characters of `A-Z a-z 0-9 . _ -`. */
const VALID_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** What `save` did with a valid document. */
export type SaveResult = 'created' | 'replaced';

/**
 * Stores documents. Production code: it knows nothing about metrics beyond a recorder's
 * `registerEvent`, and tells it what happened in its own words.
 *
 * @example
 * const storage = new DocumentStorage(recorder);
 * await storage.save('invoice-42', 'hello');
 */
export class DocumentStorage {
  readonly #metrics: Pick<MetricsRecorder, 'registerEvent'>;
  readonly #backend: DocumentBackend;
  readonly #maxBytes: number;
  readonly #clock: () => number;
  readonly #sizes = new Map<string, number>();
  #bytes = 0;

  constructor(
    metrics: Pick<MetricsRecorder, 'registerEvent'>,
    options: DocumentStorageOptions = {},
  ) {
    this.#metrics = metrics;
    this.#backend = options.backend ?? new InMemoryBackend();
    this.#maxBytes = options.maxDocumentBytes ?? 64 * 1024;
    this.#clock = options.clock ?? (() => performance.now());
  }

  /** Number of documents stored. */
  get documentCount(): number {
    return this.#sizes.size;
  }

  /** Bytes of content stored. */
  get byteCount(): number {
    return this.#bytes;
  }

  /** Stores `content` under `id`. Throws {@link InvalidDocumentError} or {@link StorageUnavailableError}. */
  async save(id: string, content: Uint8Array | string): Promise<SaveResult> {
    const started = this.#clock();
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const invalid = this.#validate(id, bytes);
    if (invalid !== undefined) {
      this.#attempt('invalid', started);
      throw invalid;
    }
    try {
      await this.#backend.write(id, bytes);
    } catch (cause) {
      this.#attempt('failure', started);
      throw new StorageUnavailableError(id, { cause });
    }
    // Sizes are updated after the write settles, so concurrent saves of one id count it once.
    const previous = this.#sizes.get(id);
    this.#sizes.set(id, bytes.byteLength);
    this.#bytes += bytes.byteLength - (previous ?? 0);
    this.#attempt('success', started);
    if (previous === undefined) this.#metrics.registerEvent(new DocumentCountChanged(1));
    this.#metrics.registerEvent(new StorageUsageMeasured(this.#bytes));
    return previous === undefined ? 'created' : 'replaced';
  }

  /** The content stored under `id`, or `undefined`. */
  async get(id: string): Promise<Uint8Array | undefined> {
    const content = VALID_ID.test(id) ? await this.#backend.read(id) : undefined;
    this.#metrics.registerEvent(new DocumentLookup(content !== undefined));
    return content;
  }

  /** Deletes `id`; resolves `true` if it existed. */
  async delete(id: string): Promise<boolean> {
    if (!VALID_ID.test(id)) return false;
    const existed = await this.#backend.remove(id);
    const size = this.#sizes.get(id);
    if (size === undefined) return existed;
    this.#sizes.delete(id);
    this.#bytes -= size;
    this.#metrics.registerEvent(new DocumentCountChanged(-1));
    this.#metrics.registerEvent(new StorageUsageMeasured(this.#bytes));
    return true;
  }

  #validate(id: string, bytes: Uint8Array): InvalidDocumentError | undefined {
    if (!VALID_ID.test(id)) {
      return new InvalidDocumentError(
        'invalid-id',
        'Document ids are 1 to 128 characters of A-Z, a-z, 0-9, ".", "_" and "-".',
      );
    }
    if (bytes.byteLength === 0)
      return new InvalidDocumentError('empty', 'A document needs content.');
    if (bytes.byteLength > this.#maxBytes) {
      return new InvalidDocumentError(
        'too-large',
        `A document holds at most ${this.#maxBytes} bytes, got ${bytes.byteLength}.`,
      );
    }
    return undefined;
  }

  #attempt(outcome: SaveOutcome, started: number): void {
    const seconds = Math.max(0, this.#clock() - started) / 1000;
    this.#metrics.registerEvent(new DocumentSaveAttempt(outcome, seconds));
  }
}
