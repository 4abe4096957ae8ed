import type { MessagePort } from 'node:worker_threads';
import type { ErrorHandler } from '../errors/index.js';
import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import { optionalFunction, optionsObject } from '../internal/option-checks.js';
import { checkHandleOptions } from './handle-options.js';
import { HANDLE_KIND, HANDLE_VERSION, SLOTS } from './protocol.js';
import type { ConnectRecorderOptions, RecorderHandle } from './types.js';
import { WorkerRecorder } from './worker-recorder.js';

const connectedPorts = new WeakSet<MessagePort>();

/**
 * In a worker: turns a {@link RecorderHandle} received from the owning thread into a recorder
 * with the same `registerEvent` contract. Throws `MetricsWiringError` on something that is not an
 * unused handle.
 *
 * @example
 * import { workerData } from 'node:worker_threads';
 * import { connectRecorder } from '@mvx-metrics/core/worker';
 * const recorder = connectRecorder(workerData.metrics);
 * recorder.registerEvent({ type: 'document.hashed', bytes: 1024 });
 * await recorder.flush();
 */
export function connectRecorder(
  handle: RecorderHandle,
  options: ConnectRecorderOptions = {},
): WorkerRecorder {
  const h = handle as Partial<RecorderHandle> | null;
  if (
    h === null ||
    typeof h !== 'object' ||
    h.kind !== HANDLE_KIND ||
    h.version !== HANDLE_VERSION ||
    typeof h.port?.postMessage !== 'function' ||
    !(h.counters instanceof SharedArrayBuffer) ||
    h.counters.byteLength < SLOTS * Uint32Array.BYTES_PER_ELEMENT
  ) {
    throw new MetricsWiringError(
      'invalid-handle',
      `connectRecorder needs a handle from exposedRecorder.handle() (sent with its port in the transfer list), got ${describeValue(handle)}.`,
    );
  }
  if (connectedPorts.has(h.port)) {
    throw new MetricsWiringError(
      'invalid-handle',
      `This handle of recorder "${h.recorder}" is already connected: each worker needs its own exposedRecorder.handle().`,
    );
  }
  const owner = { label: `connectRecorder("${String(h.recorder)}")` };
  const onError = optionalFunction<ErrorHandler>(owner, optionsObject(owner, options), 'onError');
  try {
    checkHandleOptions(`Handle of recorder "${h.recorder}"`, h);
  } catch (error) {
    throw new MetricsWiringError('invalid-handle', (error as Error).message, { cause: error });
  }
  connectedPorts.add(h.port);
  return new WorkerRecorder(handle, onError === undefined ? {} : { onError });
}
