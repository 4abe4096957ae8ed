import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The example service's sources: production folders, plus its wiring, which may use anything. */
const EXAMPLE_SRC = fileURLToPath(new URL('../../packages/examples/src/', import.meta.url));
/** Folders of wiring code (metric definitions); every other folder is production code. */
const WIRING_FOLDERS: ReadonlySet<string> = new Set(['metrics']);
/** What production code must never import: OpenTelemetry, the bridge, another metrics client. */
const FORBIDDEN = /opentelemetry|otel-bridge|prom-client/;

function importSources(source: string): string[] {
  const sources: string[] = [];
  for (const match of source.matchAll(
    /^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gms,
  )) {
    sources.push(match[1] as string);
  }
  for (const match of source.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    sources.push(match[1] as string);
  }
  for (const match of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm))
    sources.push(match[1] as string);
  return sources;
}

/** Production folders of the example (every folder of src/ but the wiring ones), found on disk. */
function productionFolders(): string[] {
  return readdirSync(EXAMPLE_SRC, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !WIRING_FOLDERS.has(entry.name))
    .map((entry) => entry.name)
    .sort();
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.[cm]?[jt]s$/.test(entry.name) && !/\.test\.[cm]?[jt]s$/.test(entry.name))
      out.push(path);
  }
  return out;
}

describe('production code is untouched by the bridge', () => {
  it("scans the example's real production folders, not a copy", () => {
    const folders = productionFolders();
    expect(folders).toEqual(expect.arrayContaining(['http', 'storage', 'workers']));
    const files = folders.flatMap((folder) => sourceFiles(join(EXAMPLE_SRC, folder)));
    expect(files.map((f) => relative(EXAMPLE_SRC, f))).toContain('storage/document-storage.ts');
  });

  it('no production file of the example imports OpenTelemetry or the bridge', () => {
    const offending: string[] = [];
    for (const folder of productionFolders()) {
      for (const file of sourceFiles(join(EXAMPLE_SRC, folder))) {
        for (const source of importSources(readFileSync(file, 'utf8'))) {
          if (FORBIDDEN.test(source))
            offending.push(`${relative(EXAMPLE_SRC, file)} imports ${source}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it('the import scan finds OpenTelemetry and bridge imports when they are there', () => {
    const sample = [
      "import { trace } from '@opentelemetry/api';",
      "import type {\n  OtelBridge,\n} from '@mvx-metrics/otel-bridge';",
      "const lazy = await import('@opentelemetry/sdk-metrics');",
    ].join('\n');
    expect(importSources(sample)).toEqual([
      '@opentelemetry/api',
      '@mvx-metrics/otel-bridge',
      '@opentelemetry/sdk-metrics',
    ]);
    expect(importSources(sample).every((source) => FORBIDDEN.test(source))).toBe(true);
  });
});
