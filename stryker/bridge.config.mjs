import { packageConfig } from './base.mjs';

export default packageConfig('bridge', 'otel-bridge', [
  'index.ts',
  'attach/types.ts',
  'config/options.ts',
  'kinds/types.ts',
  'mirror/recorder-reading.ts',
  'mirror/types.ts',
  'pipeline/types.ts',
]);
