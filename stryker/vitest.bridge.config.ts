import { mutationVitestConfig } from './vitest-scope.js';

// Tests that can kill a mutant of packages/otel-bridge/src: the bridge's unit tests and test/bridge.
export default mutationVitestConfig([
  'packages/otel-bridge/src/**/*.test.ts',
  'test/bridge/**/*.test.ts',
]);
