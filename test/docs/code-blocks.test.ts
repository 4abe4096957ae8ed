// Every TypeScript and JavaScript block of the README and docs/ compiles with the repo's strict
// options, unless it quotes a repo file (test/docs/excerpts.test.ts checks those line by line) or
// is run verbatim by a named test. What a block may say in the HTML comment right above it:
//   <!-- ts-file: src/x.ts -->          one file of the markdown file's project: such blocks
//                                       compile together and may import each other
//   <!-- ts-prelude: <code> -->         hidden code put before the block (declarations of what
//                                       the snippet takes from its surroundings)
//   <!-- checked-by: test/....test.ts -->  run verbatim by that test, which must name this file
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compile, compileGroups } from './compile.js';
import { type CodeBlock, codeBlocks, markdownFiles, quotedFile, ROOT } from './markdown.js';

const CODE = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);
const isJs = (block: CodeBlock) => !block.lang.startsWith('t');

const blocks = markdownFiles()
  .flatMap(codeBlocks)
  .filter((b) => CODE.has(b.lang) && quotedFile(b) === undefined);

const marker = (block: CodeBlock, name: string) =>
  block.marker?.startsWith(`${name}:`) ? block.marker.slice(name.length + 1).trim() : undefined;

describe('code blocks of the README and docs/ compile', () => {
  test('the docs have compiled blocks, a README project among them', () => {
    expect(blocks.filter((b) => marker(b, 'checked-by') === undefined).length).toBeGreaterThan(5);
    expect(blocks.filter((b) => b.file === 'README.md' && marker(b, 'ts-file')).length).toBe(3);
  });

  // Every project and every single block in ONE program, type-checked once (compileGroups): each
  // test gets the diagnostics compile() of its own files would give (its files', and every one
  // outside the blocks, e.g. in the workspace sources they import). One program per test checked
  // the workspace sources again for each of them: most of this file's time.
  const projects = [...new Set(blocks.filter((b) => marker(b, 'ts-file')).map((b) => b.file))];
  const projectFiles = (file: string) =>
    Object.fromEntries(
      blocks
        .filter((b) => b.file === file && marker(b, 'ts-file') !== undefined)
        .map((b) => [join(file.replace(/\W/g, '_'), marker(b, 'ts-file') as string), b.code]),
    );
  const single = blocks.filter(
    (b) => marker(b, 'ts-file') === undefined && marker(b, 'checked-by') === undefined,
  );
  const singleFiles = (block: CodeBlock) => {
    const prelude = marker(block, 'ts-prelude');
    const name = `${block.file.replace(/\W/g, '_')}_${block.line}.${isJs(block) ? 'mjs' : 'ts'}`;
    const code = prelude === undefined ? block.code : `${prelude}\n${block.code}`;
    // A snippet is a module of its own, even one that imports nothing.
    return { [name]: `${code}\nexport {};\n` };
  };
  let compiled: Map<string, string[]> | undefined;
  const diagnosticsOf = (group: string): string[] | undefined => {
    compiled ??= compileGroups({
      ...Object.fromEntries(projects.map((file) => [`project ${file}`, projectFiles(file)])),
      ...Object.fromEntries(single.map((b) => [`block ${b.file}:${b.line}`, singleFiles(b)])),
    });
    return compiled.get(group);
  };

  test.each(projects)('the %s project (its ts-file blocks, together)', (file) => {
    expect(diagnosticsOf(`project ${file}`)).toEqual([]);
  });

  test.each(single.map((b) => [`${b.file}:${b.line}`, b] as const))('%s', (_, block) => {
    expect(diagnosticsOf(`block ${block.file}:${block.line}`)).toEqual([]);
  });

  const checked = blocks.filter((b) => marker(b, 'checked-by') !== undefined);
  test.each(checked.map((b) => [`${b.file}:${b.line}`, b] as const))(
    '%s is run by the test it names',
    (_, block) => {
      const testFile = marker(block, 'checked-by') as string;
      expect(existsSync(join(ROOT, testFile)), `${testFile} exists`).toBe(true);
      expect(readFileSync(join(ROOT, testFile), 'utf8')).toContain(block.file);
    },
  );
});

describe('compile', () => {
  test('reports what does not compile: a missing export, a type error, a wrong option', () => {
    expect(compile({ 'a.ts': "import { nope } from '@mvx-metrics/core';\nexport {};\n" })).toEqual([
      expect.stringContaining("has no exported member 'nope'"),
    ]);
    expect(compile({ 'b.ts': 'const n: number = "1";\nexport {};\n' })).toHaveLength(1);
    expect(
      compile({
        'c.ts':
          "import { MetricsRuntime } from '@mvx-metrics/core';\nnew MetricsRuntime({ namespac: 'x' });\n",
      }),
    ).toHaveLength(1);
  });
});
