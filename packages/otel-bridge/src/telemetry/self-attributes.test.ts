// Self-telemetry always names the recorder: under the configured recorderAttribute, or under
// `recorder` when that is turned off, plus the runtime's namespace and, per outcome, `outcome`.
import { describe, expect, it } from 'vitest';
import { RECORDER_OUTCOMES, selfAttributes } from './self-telemetry.js';

describe('selfAttributes', () => {
  it.each([
    ['mvx.recorder', 'mvx.recorder'],
    ['svc.part', 'svc.part'],
    [false, 'recorder'],
  ] as const)('recorderAttribute %s names the recorder under %s', (key, expected) => {
    const self = selfAttributes('orders', key, 'shop');
    expect(self.recorder).toStrictEqual({ [expected]: 'orders', 'mvx.namespace': 'shop' });
    expect(self.outcomes).toStrictEqual(
      RECORDER_OUTCOMES.map((outcome) => ({
        [expected]: 'orders',
        'mvx.namespace': 'shop',
        outcome,
      })),
    );
    expect(Object.isFrozen(self.recorder)).toBe(true);
  });
});
