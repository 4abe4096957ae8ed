// connectRecorder takes only an unused handle from exposedRecorder.handle(): a handle with any one
// field wrong (or not an object at all) is refused as 'invalid-handle' in the same words, a second
// connection of one handle names its recorder, and the options and the handle's own limits are
// checked naming connectRecorder and the recorder.
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { connectRecorder } from './connect-recorder.js';
import { HANDLE_KIND, HANDLE_VERSION, SLOTS } from './protocol.js';
import type { RecorderHandle } from './types.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function freshHandle(): RecorderHandle {
  const runtime = new MetricsRuntime({ namespace: 'w', onError: () => {} });
  runtime.createRecorder('r', { metrics: () => [counter({ name: 'c', on: 'job' })] });
  const handle = runtime.exposeRecorder('r').handle();
  cleanups.push(() => {
    handle.port.close();
    return runtime.shutdown();
  });
  return handle;
}

function refusal(fn: () => unknown): MetricsWiringError {
  try {
    fn();
  } catch (error) {
    return error as MetricsWiringError;
  }
  throw new Error('expected a throw');
}

const needsHandle =
  /^connectRecorder needs a handle from exposedRecorder\.handle\(\) \(sent with its port in the transfer list\), got /;

describe('connectRecorder: what is a handle', () => {
  it('a real handle with any one field wrong is refused as invalid-handle, in the same words', () => {
    const bytes = SLOTS * Uint32Array.BYTES_PER_ELEMENT;
    const wrong: Array<[string, (h: RecorderHandle) => unknown]> = [
      ['kind', (h) => ({ ...h, kind: `${HANDLE_KIND}x` })],
      ['no kind', (h) => ({ ...h, kind: undefined })],
      ['version', (h) => ({ ...h, version: HANDLE_VERSION + 1 })],
      ['port without postMessage', (h) => ({ ...h, port: { ...h.port, postMessage: 5 } })],
      ['no port', (h) => ({ ...h, port: undefined })],
      ['counters not shared', (h) => ({ ...h, counters: new ArrayBuffer(bytes) })],
      ['counters too small', (h) => ({ ...h, counters: new SharedArrayBuffer(bytes - 4) })],
    ];
    for (const [what, corrupt] of wrong) {
      const error = refusal(() => connectRecorder(corrupt(freshHandle()) as never));
      expect(error, what).toBeInstanceOf(MetricsWiringError);
      expect(error.code, what).toBe('invalid-handle');
      expect(error.message, what).toMatch(needsHandle);
    }
    for (const notObject of [null, undefined, 5, 'handle', () => {}]) {
      const error = refusal(() => connectRecorder(notObject as never));
      expect(error.code).toBe('invalid-handle');
      expect(error.message).toMatch(needsHandle);
    }
  });

  it('counters of exactly the size needed are enough', () => {
    const handle = freshHandle();
    expect(handle.counters.byteLength).toBe(SLOTS * Uint32Array.BYTES_PER_ELEMENT);
    const remote = connectRecorder(handle, { onError: () => {} });
    cleanups.push(() => remote.close());
  });

  it('a second connection of one handle is refused, naming the recorder', () => {
    const handle = freshHandle();
    const remote = connectRecorder(handle, { onError: () => {} });
    cleanups.push(() => remote.close());
    const again = refusal(() => connectRecorder(handle));
    expect(again.code).toBe('invalid-handle');
    expect(again.message).toBe(
      'This handle of recorder "r" is already connected: each worker needs its own exposedRecorder.handle().',
    );
  });

  it('options and the handle limits are checked, naming connectRecorder or the recorder', () => {
    const options = refusal(() => connectRecorder(freshHandle(), { onError: 5 as never }));
    expect(options.code).toBe('invalid-option');
    expect(options.message).toMatch(/^connectRecorder\("r"\)/);
    expect(options.message).toContain('onError');
    const limits = refusal(() => connectRecorder({ ...freshHandle(), batchSize: 0 } as never));
    expect(limits.code).toBe('invalid-handle');
    expect(limits.message).toMatch(/^Handle of recorder "r"/);
    expect(limits.message).toContain('batchSize');
    expect(limits.cause).toBeInstanceOf(Error);
  });
});
