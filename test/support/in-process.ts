// The suites under test/ that share one module graph per worker (vitest.config.ts, project
// `in-process`), and what keeps a file out of them: anything that outlives the file in the
// process. test/support/in-process.test.ts checks every such file, and every module of test/ it
// imports, against these patterns.

/** Folders of test/ whose files run in a shared module graph (`isolate: false`). */
export const IN_PROCESS_DIRS = ['test/core', 'test/docs'] as const;

/**
 * Files of other folders that do too: in-process suites over a runtime and the bridge without a
 * pipeline, and tests whose processes of their own (fixtures, children) are where the process-wide
 * things happen. The long child-process runs (soak, overload, cluster, prom-client) stay isolated.
 */
export const IN_PROCESS_FILES = [
  'test/bridge/diagnostics.test.ts',
  'test/bridge/histogram-collections.test.ts',
  'test/bridge/producer-path.test.ts',
  'test/bridge/production-untouched.test.ts',
  'test/bridge/property.test.ts',
  'test/bridge/shared-series.test.ts',
  'test/bridge/views-property.test.ts',
  'test/bridge/views-temporality.test.ts',
  'test/cluster/options.property.test.ts',
  'test/cluster/public-api.test.ts',
  'test/reliability/attributes.test.ts',
  'test/reliability/bad-input.test.ts',
  'test/reliability/cardinality.test.ts',
  'test/reliability/conservation.test.ts',
  'test/reliability/dispatch-index.test.ts',
  'test/reliability/exemplar-memory.test.ts',
  'test/reliability/failed-drain.test.ts',
  'test/reliability/faults.test.ts',
  'test/reliability/hanging-collector.test.ts',
  'test/reliability/options.property.test.ts',
  'test/reliability/otlp-faults.test.ts',
  'test/reliability/read-once.test.ts',
  'test/reliability/shutdown.test.ts',
  'test/reliability/small-items.test.ts',
  'test/reliability/timers.test.ts',
  'test/reliability/wiring-errors.test.ts',
  'test/workers/public-api.test.ts',
] as const;

/** What a shared-graph file (or a module of test/ it imports) must not do, with why. */
export const PROCESS_WIDE: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  {
    what: 'sets or deletes process.env',
    pattern: /process\.env(\.\w+|\[[^\]]+\])\s*=(?!=)|delete\s+process\.env|vi\.stubEnv/,
  },
  {
    what: 'adds or removes a process handler',
    pattern:
      /process\.(on|once|off|addListener|prependListener|removeListener|removeAllListeners)\(/,
  },
  {
    what: "registers one of OpenTelemetry's globals",
    pattern: /setGlobal\w*\(|diag\.(setLogger|disable)\(|\.disable\(\)/,
  },
  { what: 'creates a pipeline (it registers the globals)', pattern: /createOtelPipeline\(/ },
  {
    what: 'signals its own process or exits',
    pattern: /process\.(kill\(\s*process\.pid|exit\(|chdir\()/,
  },
  {
    what: "changes node:cluster's settings",
    pattern: /cluster\.(setupPrimary|setupMaster)\(|cluster\.settings\.\w+\s*=(?!=)/,
  },
  {
    what: 'replaces globals, timers or modules',
    pattern:
      /vi\.(stubGlobal|mock|doMock|useFakeTimers)\(|globalThis\.\w+\s*=(?!=)|Object\.defineProperty\(globalThis/,
  },
  {
    what: 'changes how errors or warnings print',
    pattern:
      /Error\.(prepareStackTrace|stackTraceLimit)\s*=(?!=)|process\.emitWarning\s*=(?!=)|console\.\w+\s*=(?!=)/,
  },
];

/** What in `source` would outlive a file run in a shared module graph. */
export function processWide(source: string): string[] {
  return PROCESS_WIDE.filter(({ pattern }) => pattern.test(source)).map(({ what }) => what);
}
