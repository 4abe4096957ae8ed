// The owning side of worker connections at its edges: what it takes from a handle's port (its
// own batches and flush requests; anything else ignored, a batch that does not decode reported),
// what it counts and reports when connections close, and the words of its refusals. The test
// plays the worker side on the raw port where it needs to send what connectRecorder never would.
import fc from 'fast-check';
import { describe, expect, test, vi } from 'vitest';
import { type MetricsError, MetricsWiringError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { connectRecorder } from './connect-recorder.js';
import { createExposedRecorder } from './exposed-recorder.js';

const settled = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 5 });

function setup() {
  const runtime = new MetricsRuntime({ namespace: 'test', onError: () => {} });
  runtime.start();
  const recorder = runtime.createRecorder('jobs', {
    metrics: [counter({ name: 'jobs.done', on: 'job.done' })],
  });
  const errors: MetricsError[] = [];
  const exposed = createExposedRecorder(recorder, { onError: (error) => errors.push(error) });
  return { runtime, recorder, exposed, errors };
}

describe('exposed recorder, edges', () => {
  test('ignores messages on a handle port that are neither its batches nor flush requests, and answers a flush request with its id only', async () => {
    const { runtime, recorder, exposed, errors } = setup();
    const handle = exposed.handle();
    const answers: unknown[] = [];
    handle.port.on('message', (message) => answers.push(message));
    for (const stray of [null, 'flush', true, undefined]) handle.port.postMessage(stray);
    handle.port.postMessage(7);
    await settled(() => expect(answers).toEqual([7]));
    expect(errors).toEqual([]);
    expect(exposed.stats()).toMatchObject({ received: 0, batches: 0 });
    expect(recorder.stats()).toMatchObject({ registered: 0, rejected: 0 });
    handle.port.close();
    await runtime.shutdown();
  });

  test('reports a batch that does not decode, naming the recorder, and takes none of it', async () => {
    const { runtime, exposed, errors } = setup();
    const handle = exposed.handle();
    handle.port.postMessage({ s: 'not a list', k: [], v: [], e: [] });
    await settled(() => expect(errors).toHaveLength(1));
    expect(errors[0]?.code).toBe('listener-failed');
    expect(errors[0]?.cause).toBeInstanceOf(Error);
    expect(errors[0]?.message).toMatch(
      /^Worker bridge: decoding a batch for recorder "jobs" failed: /,
    );
    expect(exposed.stats()).toMatchObject({ received: 0, batches: 0 });
    handle.port.close();
    await runtime.shutdown();
  });

  test('registers exactly the events of each batch, and reports nothing when every connection closes without a loss', async () => {
    const { runtime, recorder, exposed, errors } = setup();
    const one = connectRecorder(exposed.handle({ batchSize: 3 }));
    const two = connectRecorder(exposed.handle({ batchSize: 3 }));
    for (let i = 0; i < 5; i++) one.registerEvent({ type: 'job.done' });
    two.registerEvent({ type: 'job.done' });
    await one.flush();
    await two.flush();
    expect(recorder.stats()).toMatchObject({ registered: 6, rejected: 0 });
    exposed.close();
    expect(exposed.stats()).toMatchObject({
      connections: 2,
      open: 0,
      registered: 6,
      received: 6,
      lost: 0,
    });
    expect(errors).toEqual([]);
    await runtime.shutdown();
  });

  test('reports a loss with its count once the connection that lost events has closed', async () => {
    const { runtime, exposed, errors } = setup();
    const handle = exposed.handle({ batchSize: 10 });
    const remote = connectRecorder(handle, { onError: () => {} });
    for (let i = 0; i < 3; i++) remote.registerEvent({ type: 'job.done' });
    handle.port.close(); // the worker side goes away with 3 events unsent
    await settled(() => expect(exposed.stats().open).toBe(0));
    expect(exposed.stats()).toMatchObject({ connections: 1, lost: 3 });
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      [
        'worker-events-lost',
        'A worker connection to recorder "jobs" closed with 3 event(s) registered in the worker but never sent (the worker exited or crashed first); counted in stats().lost.',
      ],
    ]);
    await runtime.shutdown();
  });

  test('refuses bad options and handles after close in words naming the recorder', async () => {
    const { runtime, recorder, exposed } = setup();
    expect(() => createExposedRecorder(recorder, 5 as never)).toThrow(
      /^exposeRecorder\("jobs"\): /,
    );
    expect(() => createExposedRecorder(recorder, { onError: 5 } as never)).toThrow(
      /^exposeRecorder\("jobs"\): /,
    );
    exposed.close();
    let refusal: unknown;
    try {
      exposed.handle();
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(MetricsWiringError);
    expect((refusal as MetricsWiringError).code).toBe('exposure-closed');
    expect((refusal as Error).message).toContain('Recorder "jobs" is no longer exposed to workers');
    await runtime.shutdown();
  });

  test('takes every event a worker admitted, however its batches and bound compare with the owning buffer (property)', async () => {
    // A handle may allow more in flight than the owning recorder buffers, and a batch may be
    // larger than that buffer: the owner processes as often as it must instead of dropping.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 400 }),
        async (ownerCapacity, handleBound, batch, count) => {
          const runtime = new MetricsRuntime({
            namespace: 'test',
            maxPendingEvents: ownerCapacity,
            onError: () => {},
          });
          runtime.start();
          const recorder = runtime.createRecorder('jobs', {
            metrics: [counter({ name: 'jobs.done', on: 'job.done' })],
          });
          const exposed = runtime.exposeRecorder('jobs');
          const remote = connectRecorder(
            exposed.handle({
              maxPendingEvents: handleBound,
              batchSize: Math.min(batch, handleBound),
            }),
            { onError: () => {} },
          );
          for (let i = 0; i < count; i++) remote.registerEvent({ type: 'job.done' });
          await remote.flush();
          const sent = remote.stats().sent;
          expect(exposed.stats().received).toBe(sent);
          expect(recorder.stats()).toMatchObject({ registered: sent, processed: sent, dropped: 0 });
          await runtime.shutdown();
        },
      ),
      { numRuns: 40 },
    );
  });
});
