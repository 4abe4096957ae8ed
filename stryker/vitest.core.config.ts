import { mutationVitestConfig } from './vitest-scope.js';

// Tests that can kill a mutant of packages/core/src: core's unit tests and test/core.
export default mutationVitestConfig(['packages/core/src/**/*.test.ts', 'test/core/**/*.test.ts']);
