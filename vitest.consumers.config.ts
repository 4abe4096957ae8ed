import { defineConfig } from 'vitest/config';

// Consumer tests: packed tarballs installed in temp projects as users install them (npm, registry).
// Slow and network-bound (npm's cache keeps reruns local), so they run apart from `npm test`:
// `npm run test:consumers`, which CI runs once (each test picks its own Node version).
export default defineConfig({
  test: {
    include: ['test/consumers/*.test.ts'],
    globalSetup: ['test/consumers/support/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 300_000,
  },
});
