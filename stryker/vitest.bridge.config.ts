import { mutationVitestConfig } from './vitest-scope.js';

// Tests that can kill a mutant of packages/otel-bridge/src: the bridge's unit tests and test/bridge,
// but for the files below. Each waits on the wall clock or on other processes (a real Prometheus,
// child processes, collectors that never answer, export intervals): 5-22 s each on a quiet machine,
// 70 of the 103 s that all the bridge's tests take. perTest coverage gives a mutant every test
// that reached its code, and these reach most of the pipeline, so each surviving mutant paid
// for them again (a fresh vitest worker per mutant, no bail when nothing fails). Leaving them out
// can only let more mutants survive: the bridge's score under `npm run mutate` is a LOWER bound of
// the score with every test. They still run in `npm test` and CI.
export const SLOW_BRIDGE_TESTS = [
  'test/bridge/export-outcomes.test.ts', // black-holed and scripted collectors, export timeouts (22 s)
  'test/bridge/diagnostics.test.ts', // child processes beside NodeSDK's, per OTEL_LOG_LEVEL (13 s)
  'test/bridge/entry-points.test.ts', // child processes that load each entry point (9 s)
  'test/bridge/views-temporality.test.ts', // child processes, idle export intervals (7 s)
  'test/bridge/native-histograms-prometheus.test.ts', // a real Prometheus scraping (6 s)
  'test/bridge/exemplars-prometheus.test.ts', // a real Prometheus scraping (5 s)
];

export default mutationVitestConfig(
  ['packages/otel-bridge/src/**/*.test.ts', 'test/bridge/**/*.test.ts'],
  SLOW_BRIDGE_TESTS,
);
