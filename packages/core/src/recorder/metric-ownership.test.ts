import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { pointValue } from '../testing/index.js';
import { MetricsRecorder } from './metrics-recorder.js';

describe('metric ownership', () => {
  it('refuses a metric instance that already belongs to another live recorder, naming both and the fix', () => {
    const saves = counter({ name: 'saves', on: 'save' });
    new MetricsRecorder('first', { metrics: [saves], scheduler: 'sync' });
    expect(() => new MetricsRecorder('second', { metrics: [saves], scheduler: 'sync' })).toThrow(
      MetricsWiringError,
    );
    expect(() => new MetricsRecorder('third', { metrics: [saves], scheduler: 'sync' })).toThrow(
      /belongs to recorder "first".*recorder "third".*factory/,
    );
  });

  it('lets a runtime factory give every scope its own instances', () => {
    const runtime = new MetricsRuntime({ namespace: 'app', scheduler: 'sync' });
    runtime.start();
    const a = runtime.createRecorder('a', {
      metrics: () => [counter({ name: 'saves', on: 'save' })],
    });
    const b = runtime.createRecorder('b', {
      metrics: () => [counter({ name: 'saves', on: 'save' })],
    });
    a.registerEvent({ type: 'save' });
    expect(pointValue(a, 'saves')).toBe(1);
    expect(pointValue(b, 'saves')).toBe(0);
  });

  it('hands a stopped recorder’s metric to a new recorder, keeping its state', async () => {
    const saves = counter({ name: 'saves', on: 'save' });
    const old = new MetricsRecorder('conn', { metrics: [saves], scheduler: 'sync' });
    old.start();
    old.registerEvent({ type: 'save' });
    await old.stop();
    const resumed = new MetricsRecorder('conn', { metrics: [saves], scheduler: 'sync' });
    resumed.start();
    resumed.registerEvent({ type: 'save' });
    expect(pointValue(resumed, 'saves')).toBe(2);
  });
});
