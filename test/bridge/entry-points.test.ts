import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const recorder = fileURLToPath(new URL('./fixtures/record-loads.mjs', import.meta.url));

/** The `@opentelemetry/*` packages Node loads for `import(specifier)` of the built package. */
function openTelemetryPackagesLoadedBy(specifier: string): string[] {
  const output = execFileSync(
    process.execPath,
    [
      '--import',
      recorder,
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(specifier)});`,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  const line = output.split('\n').find((l) => l.startsWith('@@LOADED@@'));
  if (line === undefined) throw new Error(`no module list in output:\n${output}`);
  const urls = JSON.parse(line.slice('@@LOADED@@'.length)) as string[];
  const packages = new Set<string>();
  for (const url of urls) {
    const match = /node_modules\/(@opentelemetry\/[^/]+)\//.exec(url);
    if (match !== null) packages.add(match[1] as string);
  }
  return [...packages].sort();
}

describe('entry points load only what they need', () => {
  it('importing @mvx-metrics/otel-bridge loads no exporter and no trace SDK', () => {
    const loaded = openTelemetryPackagesLoadedBy('@mvx-metrics/otel-bridge');
    expect(loaded).toContain('@opentelemetry/api');
    expect(loaded.filter((p) => p.startsWith('@opentelemetry/exporter-'))).toEqual([]);
    expect(loaded).not.toContain('@opentelemetry/sdk-trace-base');
    expect(loaded).not.toContain('@opentelemetry/sdk-trace');
  });

  it('the module list sees exporters when an entry point does load them', () => {
    const loaded = openTelemetryPackagesLoadedBy('@mvx-metrics/otel-bridge/pipeline');
    expect(loaded).toContain('@opentelemetry/exporter-prometheus');
  });
});
