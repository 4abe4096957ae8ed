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
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
