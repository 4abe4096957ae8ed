import { packageConfig } from './base.mjs';

/** Files of packages/core/src with no runtime code (types, re-export barrels): nothing to mutate. */
export const typeOnly = [
  'index.ts',
  'events/index.ts',
  'metrics/index.ts',
  'metrics/types.ts',
  'recorder/index.ts',
  'recorder/types.ts',
  'runtime/index.ts',
  'runtime/types.ts',
  'scheduler/index.ts',
  'snapshots/index.ts',
  'snapshots/types.ts',
  'workers/index.ts',
  'workers/types.ts',
  'workers/worker.ts',
];

export default packageConfig('core', 'core', typeOnly);
