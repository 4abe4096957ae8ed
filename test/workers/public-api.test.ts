// The worker-thread names are importable from the package entry points users will use.
import * as core from '@mvx-metrics/core';
import * as worker from '@mvx-metrics/core/worker';
import { describe, expect, it } from 'vitest';

describe('public API for worker threads', () => {
  it('exports the owning-side names from the main entry', () => {
    for (const name of [
      'createExposedRecorder',
      'ExposedRecorder',
      'connectRecorder',
      'WorkerRecorder',
    ]) {
      expect(typeof (core as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(typeof core.MetricsRuntime.prototype.exposeRecorder).toBe('function');
  });

  it('exports the worker side, and only it, from the ./worker subpath', () => {
    expect(Object.keys(worker).sort()).toEqual(['WorkerRecorder', 'connectRecorder']);
  });
});
