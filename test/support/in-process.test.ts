import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IN_PROCESS_DIRS, IN_PROCESS_FILES, processWide } from './in-process.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function testFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The file and every module under test/ it imports, transitively (relative imports). */
function withLocalImports(file: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const source = readFileSync(join(root, path), 'utf8');
    for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(root, resolve(join(root, dirname(path)), spec as string));
      const ts = target.replace(/\.js$/, '.ts');
      if (ts.startsWith('test/') && existsSync(join(root, ts))) visit(ts);
    }
  };
  visit(file);
  return [...seen];
}

describe('the suites that share a module graph touch nothing process-wide', () => {
  const files = [...IN_PROCESS_DIRS.flatMap(testFiles), ...IN_PROCESS_FILES];

  it('finds the files', () => {
    expect(files.length).toBeGreaterThan(40);
    for (const file of IN_PROCESS_FILES) expect(existsSync(join(root, file)), file).toBe(true);
  });

  it.each(files)('%s, and the modules of test/ it imports', (file) => {
    const found = withLocalImports(file).flatMap((path) =>
      processWide(readFileSync(join(root, path), 'utf8')).map((what) => `${path}: ${what}`),
    );
    expect(found).toEqual([]);
  });

  it('the check sees each kind of process-wide change', () => {
    const samples: Record<string, string> = {
      'sets or deletes process.env': "process.env.OTEL_X = '1'; delete process.env['Y']",
      'adds or removes a process handler': "process.on('exit', f)",
      "registers one of OpenTelemetry's globals": 'metrics.setGlobalMeterProvider(p)',
      'creates a pipeline (it registers the globals)': 'await createOtelPipeline({})',
      'signals its own process or exits': "process.kill(process.pid, 'SIGTERM')",
      "changes node:cluster's settings": "cluster.setupPrimary({ exec: 'w.js' })",
      'replaces globals, timers or modules': 'vi.useFakeTimers()',
      'changes how errors or warnings print': 'Error.stackTraceLimit = 0',
    };
    for (const [what, source] of Object.entries(samples)) {
      expect(processWide(source), source).toEqual([what]);
    }
    expect(processWide("if (process.env.CI === 'true') x(); process.once")).toEqual([]);
  });
});
