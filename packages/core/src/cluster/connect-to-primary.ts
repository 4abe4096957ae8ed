import type { ErrorHandler } from '../errors/index.js';
import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import { optionalFunction, optionsObject, readOption } from '../internal/option-checks.js';
import { DEFAULT_MAX_PENDING_EVENTS } from '../recorder/index.js';
import { checkHandleOptions } from '../workers/handle-options.js';
import { ClusterRecorder } from './cluster-recorder.js';
import { DEFAULT_FLUSH_TIMEOUT_MS, flushTimeout } from './pending-flushes.js';
import { DEFAULT_BATCH_SIZE, type IpcChannel } from './protocol.js';
import type { ClusterRecorderOptions } from './types.js';

/**
 * In a worker process (a `node:cluster` worker, a `child_process.fork` child, a PM2 cluster
 * instance): a recorder whose events go to the primary's recorder called `name`, over the IPC
 * channel. Throws `MetricsWiringError` when this process has no IPC channel or an option is invalid.
 *
 * @example
 * import { connectToPrimary } from '@mvx-metrics/core/cluster';
 * const recorder = connectToPrimary('document_storage');
 * recorder.registerEvent({ type: 'document.saved', outcome: 'success' });
 */
export function connectToPrimary(
  name: string,
  options: ClusterRecorderOptions = {},
): ClusterRecorder {
  return connectOver(process as unknown as IpcChannel, name, options);
}

/** {@link connectToPrimary} over a given channel end (tests). */
export function connectOver(
  channel: IpcChannel,
  name: string,
  options: ClusterRecorderOptions = {},
): ClusterRecorder {
  if (typeof name !== 'string' || name === '') {
    throw new MetricsWiringError(
      'invalid-recorder-name',
      `connectToPrimary needs the name of a recorder of the primary's runtime, got ${describeValue(name)}.`,
    );
  }
  const owner = { label: `connectToPrimary("${name}")` };
  const opts = optionsObject(owner, options);
  const onError = optionalFunction<ErrorHandler>(owner, opts, 'onError');
  const read = (key: string, fallback: unknown): unknown => {
    const value = readOption(owner, opts, key);
    return value === undefined ? fallback : value;
  };
  const { maxPendingEvents, overflow, batchSize } = checkHandleOptions(owner.label, {
    maxPendingEvents: read('maxPendingEvents', DEFAULT_MAX_PENDING_EVENTS),
    overflow: read('overflow', 'drop-newest'),
    batchSize: read('batchSize', DEFAULT_BATCH_SIZE),
  });
  if (typeof channel.send !== 'function' || channel.connected === false) {
    throw new MetricsWiringError(
      'no-ipc-channel',
      `${owner.label}: this process has no IPC channel to a primary (start it with cluster.fork() or child_process.fork(), or under PM2 in cluster mode).`,
    );
  }
  const flushTimeoutMs = flushTimeout(
    owner.label,
    'flushTimeoutMs',
    readOption(owner, opts, 'flushTimeoutMs'),
    DEFAULT_FLUSH_TIMEOUT_MS,
  );
  return new ClusterRecorder(
    { name, capacity: maxPendingEvents, overflow, batchSize, flushTimeoutMs, onError },
    channel,
  );
}
