import { afterEach, describe, expect, it, vi } from 'vitest';
import { MetricsRecorder } from '../recorder/index.js';
import { defaultErrorHandler, MetricsError, MetricsWiringError } from './index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('errors', () => {
  it('wiring errors are MetricsErrors with a code and an optional cause', () => {
    const cause = new Error('root');
    const error = new MetricsWiringError('duplicate-metric', 'dup', { cause });
    expect(error).toBeInstanceOf(MetricsError);
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.code, error.message, error.cause]).toEqual([
      'MetricsWiringError',
      'duplicate-metric',
      'dup',
      cause,
    ]);
  });

  it('the default handler writes one warning line per reported problem', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    defaultErrorHandler(new MetricsError('invalid-event', 'bad thing'));
    expect(warn).toHaveBeenCalledWith('[mvx-metrics] bad thing');
  });

  it('a recorder without onError warns once per kind through the default handler', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const recorder = new MetricsRecorder('quiet', { scheduler: 'sync' });
    recorder.start();
    recorder.registerEvent(42 as unknown as object);
    recorder.registerEvent(43 as unknown as object);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/"quiet" rejected 42/);
  });
});
