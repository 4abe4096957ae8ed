import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const file = new URL('../fixtures/document-storage.ts', import.meta.url);

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

describe('production code is untouched by the bridge', () => {
  it('the DocumentStorage fixture imports only @mvx-metrics/core', () => {
    const sources = importSources(readFileSync(file, 'utf8'));
    expect(sources).toEqual(['@mvx-metrics/core']);
    expect(sources.some((s) => s.includes('opentelemetry') || s.includes('otel-bridge'))).toBe(
      false,
    );
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
  });
});
