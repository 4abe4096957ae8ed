import { counter, createClusterPrimary, MetricsRuntime } from '@mvx-metrics/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BOOLEAN_SPEC,
  build,
  CAPACITY,
  ERROR_HANDLER,
  FUNCTION_SPEC,
  invalidKeys,
  junkBut,
  type OptionSpec,
  optionsFor,
  wiring,
} from '../support/option-specs.js';

// The cluster primary's options, as for every public factory (issue 13, item 7): the call throws
// a MetricsWiringError naming an invalid option iff one is invalid; once accepted, it works.
// (connectToPrimary's options are checked the same way in packages/core/src/cluster/cluster.test.ts,
// over an in-memory channel: vitest's process has no IPC channel to a primary.)

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).filter((n) => n !== '__proto__');
const WORKER_PROPERTY: OptionSpec = {
  valid: fc.oneof(
    fc.constantFrom('worker', ...PROTO_NAMES),
    fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s !== '__proto__'),
  ),
  invalid: fc.oneof(
    fc.constantFrom('', '__proto__'),
    junkBut((v) => typeof v === 'string'),
  ),
};
const REVIVE = FUNCTION_SPEC(fc.constant((e: object) => e));

describe('cluster primary options are checked at wiring time (arbitrary option objects)', () => {
  it('runtime.clusterPrimary and createClusterPrimary', async () => {
    const runtimeSpecs = {
      workerProperty: WORKER_PROPERTY,
      revive: REVIVE,
      selfTelemetry: BOOLEAN_SPEC,
      maxRecorderNames: CAPACITY,
    };
    const standaloneSpecs = {
      workerProperty: WORKER_PROPERTY,
      revive: REVIVE,
      onError: ERROR_HANDLER,
      maxRecorderNames: CAPACITY,
    };
    await fc.assert(
      fc.asyncProperty(optionsFor(runtimeSpecs), optionsFor(standaloneSpecs), async (a, b) => {
        const runtime = new MetricsRuntime({
          namespace: 'c',
          scheduler: 'sync',
          onError: () => {},
        });
        runtime.createRecorder('r', { metrics: [counter({ name: 'seen', on: 'x' })] });
        runtime.start();
        const primary = await wiring(
          () => runtime.clusterPrimary(build(a.choices)),
          invalidKeys(a.choices, runtimeSpecs),
        );
        if (primary !== undefined) {
          expect(primary.stats()).toMatchObject({ workers: 0, registered: 0 });
          const telemetry = a.choices.selfTelemetry?.value !== false;
          expect(runtime.getRecorder('mvx_cluster') !== undefined).toBe(telemetry);
        } else {
          // refused: nothing was created on the runtime
          expect(runtime.getRecorder('mvx_cluster')).toBeUndefined();
        }
        const standalone = await wiring(
          () => createClusterPrimary(runtime, build(b.choices)),
          invalidKeys(b.choices, standaloneSpecs),
        );
        if (standalone !== undefined) expect(standalone.stats().workers).toBe(0);
        await runtime.shutdown();
      }),
      { numRuns: 150 },
    );
  });
});
