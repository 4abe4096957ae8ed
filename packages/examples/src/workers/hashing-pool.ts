import { availableParallelism } from 'node:os';
import type { ExposedRecorder, MetricsRuntime } from '@mvx-metrics/core';
import { Piscina } from 'piscina';
import type { Document } from './document-hasher.js';
import type { HashTask } from './hash-task.js';
import { hashingMetrics } from './hashing-metrics.js';

/** Options of {@link createHashingPool}. */
export interface HashingPoolOptions {
  /** Name of the recorder created for the pool (default `document_hashing`). */
  recorderName?: string;
  /** Pool size (default: available parallelism). */
  maxThreads?: number;
  /** Node flags of the pool's workers (default: the parent's, as with piscina). */
  execArgv?: string[];
}

/** A piscina pool whose workers report into one recorder of the owning runtime. */
export interface HashingPool {
  /** Hashes documents in a pool worker; resolves once the worker's events are processed here. */
  hash(documents: Document[]): Promise<string[]>;
  readonly exposed: ExposedRecorder;
  /** Stops the pool (the runtime's shutdown then drains and closes the recorder). */
  close(): Promise<void>;
}

// Workers run JavaScript: the task is the compiled module. When this file itself runs from
// src (vitest), point at the build output instead of a sibling that does not exist.
const TASK_FILE = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/workers/hash-task.js', import.meta.url)
  : new URL('./hash-task.js', import.meta.url);

/**
 * Wiring: one recorder on the owning thread, exposed to a piscina pool. Each task gets its own
 * handle (a `MessagePort` has one owner and piscina picks the worker), sent in the task's
 * transfer list; the worker connects, emits, flushes and closes.
 *
 * @example
 * const pool = createHashingPool(runtime, { maxThreads: 2 });
 * const digests = await pool.hash([{ id: 'a', content: 'hello' }]);
 */
export function createHashingPool(
  runtime: MetricsRuntime,
  options: HashingPoolOptions = {},
): HashingPool {
  const name = options.recorderName ?? 'document_hashing';
  runtime.createRecorder(name, { metrics: hashingMetrics });
  const exposed = runtime.exposeRecorder(name);
  const maxThreads = options.maxThreads ?? availableParallelism();
  const pool = new Piscina<HashTask, string[]>({
    filename: TASK_FILE.href,
    maxThreads,
    minThreads: Math.min(1, maxThreads),
    ...(options.execArgv === undefined ? {} : { execArgv: options.execArgv }),
  });
  return {
    exposed,
    hash(documents) {
      const handle = exposed.handle();
      return pool.run({ documents, metrics: handle }, { transferList: [handle.port] });
    },
    close: () => pool.destroy(),
  };
}
