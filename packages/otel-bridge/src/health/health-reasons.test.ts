// The probes' answers in words: each reason a user reads on /healthz and /readyz, and what
// clears it (an untracked runtime, an export that succeeds again).
import { describe, expect, it } from 'vitest';
import { PipelineHealth } from './health.js';

const target = (label: string, namespace: string, state: string) => ({
  label,
  namespace,
  state: () => state as never,
});

describe('PipelineHealth reasons', () => {
  it('liveness names a failed runtime; untracking it clears the reason', () => {
    const health = new PipelineHealth(3, async () => {});
    const untrack = health.track(target('MetricsRuntime "app"', 'app', 'failed'));
    health.track(target('MetricsRuntime "ok"', 'ok', 'running'));
    expect(health.liveness()).toEqual({
      status: 'unavailable',
      reasons: ['MetricsRuntime "app" failed: it can no longer process events'],
      runtimes: [
        { namespace: 'app', state: 'failed' },
        { namespace: 'ok', state: 'running' },
      ],
    });
    untrack();
    expect(health.liveness()).toEqual({
      status: 'ok',
      reasons: [],
      runtimes: [{ namespace: 'ok', state: 'running' }],
    });
  });

  it('readiness: shut down, a runtime not running, an exporter failing N times in a row', () => {
    const health = new PipelineHealth(2, async () => {});
    health.track(target('MetricsRuntime "app"', 'app', 'stopping'));
    const otlp = health.exportStreak('otlp');
    otlp(false);
    expect(health.readiness().reasons).toEqual(['MetricsRuntime "app" is stopping']);
    otlp(false);
    expect(health.readiness().reasons).toEqual([
      'MetricsRuntime "app" is stopping',
      'metric export "otlp" failed on its last 2 consecutive attempts (unready from 2)',
    ]);
    otlp(true);
    health.markShutDown();
    expect(health.readiness()).toMatchObject({
      status: 'unavailable',
      reasons: ['the metrics pipeline is shut down', 'MetricsRuntime "app" is stopping'],
    });
  });

  it('flush() is the pipeline flush: it waits for it and passes its failure on', async () => {
    let calls = 0;
    let finish: () => void = () => {};
    const health = new PipelineHealth(3, () => {
      calls += 1;
      return new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    const flushing = health.flush();
    expect(calls).toBe(1);
    let done = false;
    void flushing.then(() => {
      done = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    finish();
    await flushing;
    expect(done).toBe(true);
    const failing = new PipelineHealth(3, () => Promise.reject(new Error('collector down')));
    await expect(failing.flush()).rejects.toThrow('collector down');
  });
});
