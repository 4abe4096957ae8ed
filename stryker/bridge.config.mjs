import { packageConfig } from './base.mjs';

/** Files of packages/otel-bridge/src with no runtime code (types, re-export barrels). */
export const typeOnly = [
  'index.ts',
  'attach/types.ts',
  'config/options.ts',
  'kinds/types.ts',
  'mirror/recorder-reading.ts',
  'mirror/types.ts',
  'pipeline/types.ts',
];

export default packageConfig('bridge', 'otel-bridge', typeOnly);
