import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their src/ through the `source` export condition. Vitest runs
// tests in Vite's SSR environment, whose conditions are separate from `resolve.conditions`.
export default defineConfig({
  resolve: { conditions: ['@mvx-metrics/source'] },
  ssr: {
    resolve: { conditions: ['@mvx-metrics/source'], externalConditions: ['@mvx-metrics/source'] },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // Installed from packed tarballs in temp projects: `npm run test:consumers` (vitest.consumers.config.ts).
    exclude: ['test/consumers/**', '**/node_modules/**'],
    // A change listener that keeps the change instead of a copy fails the test that runs it.
    setupFiles: ['test/support/detect-kept-changes.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
