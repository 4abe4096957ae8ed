import { packageConfig } from './base.mjs';

export default packageConfig('bridge', 'otel-bridge', [
  'index.ts',
  'attach/recorder-reading.ts',
  'attach/types.ts',
  'kinds/types.ts',
  'mirror/types.ts',
  'pipeline/types.ts',
]);
