import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { MetricsRecorder } from '../recorder/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { connectRecorder, createExposedRecorder } from '../workers/index.js';
import { OVERFLOW_STRATEGIES } from './overflow.js';

function wiringError(fn: () => unknown): MetricsWiringError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsWiringError);
    return error as MetricsWiringError;
  }
  throw new Error('expected a MetricsWiringError');
}

describe('buffer options, checked once for every owner', () => {
  it('lists every overflow policy of the strategy table in its message', () => {
    const error = wiringError(() => new MetricsRecorder('r', { overflow: 'drop-all' as never }));
    for (const name of Object.keys(OVERFLOW_STRATEGIES))
      expect(error.message).toContain(`'${name}'`);
  });

  it('checks a runtime’s recorder defaults when the runtime is built', () => {
    const capacity = wiringError(
      () => new MetricsRuntime({ namespace: 'ns', maxPendingEvents: 0 }),
    );
    expect(capacity.code).toBe('invalid-option');
    expect(capacity.message).toBe(
      'MetricsRuntime "ns": maxPendingEvents must be a positive integer, got 0.',
    );
    const overflow = wiringError(
      () => new MetricsRuntime({ namespace: 'ns', overflow: 'newest' as never }),
    );
    expect(overflow.message).toContain(
      `MetricsRuntime "ns": overflow must be 'drop-newest' or 'drop-oldest'`,
    );
  });

  it('gives a worker handle the same checks, bounded by its u32 counters', () => {
    const exposed = createExposedRecorder(new MetricsRecorder('jobs'));
    try {
      expect(wiringError(() => exposed.handle({ maxPendingEvents: 2 ** 31 })).message).toBe(
        'Worker handle of recorder "jobs": maxPendingEvents must be a positive integer below 2^31, got 2147483648.',
      );
      expect(wiringError(() => exposed.handle({ batchSize: 0 })).message).toContain('batchSize');
    } finally {
      exposed.close();
    }
  });

  it('refuses a handle whose buffer settings were tampered with before a worker connects', () => {
    const exposed = createExposedRecorder(new MetricsRecorder('jobs'));
    const handle = exposed.handle();
    try {
      const forged = wiringError(() =>
        connectRecorder({ ...handle, overflow: 'drop-all' as never }),
      );
      expect(forged.code).toBe('invalid-handle');
      expect(forged.message).toContain('Handle of recorder "jobs": overflow must be');
      const zero = wiringError(() => connectRecorder({ ...handle, batchSize: 0 }));
      expect(zero.code).toBe('invalid-handle');
    } finally {
      handle.port.close();
      exposed.close();
    }
  });
});
