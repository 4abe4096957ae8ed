// Type-checks code blocks of the README and docs/ with the repo's own strict compiler options, as
// virtual files under <repo>/.docs-blocks/ (nothing is written): module resolution then finds the
// workspace packages (their source, through the `@mvx-metrics/source` condition) and node_modules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from './markdown.js';

export const VIRTUAL_ROOT = join(ROOT, '.docs-blocks');

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(ROOT, 'tsconfig.base.json');
  const read = ts.readConfigFile(configPath, (path) => readFileSync(path, 'utf8'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT);
  return {
    ...parsed.options,
    noEmit: true,
    composite: false,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    allowJs: true,
    checkJs: false,
    customConditions: ['@mvx-metrics/source'],
  };
}

/**
 * Compiles `files` (path relative to the virtual root → text) as one program and returns its
 * diagnostics as readable lines (`file:line:col message`), empty when everything compiles.
 */
export function compile(files: Record<string, string>): string[] {
  const options = compilerOptions();
  const virtual = new Map(
    Object.entries(files).map(([path, text]) => [join(VIRTUAL_ROOT, path), text]),
  );
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  const virtualDir = (path: string) =>
    [...virtual.keys()].some((file) => file.startsWith(`${path}/`));
  host.fileExists = (path) => virtual.has(path) || fileExists.call(host, path);
  host.directoryExists = (path) => virtualDir(path) || (directoryExists?.call(host, path) ?? true);
  host.readFile = (path) => virtual.get(path) ?? readFile.call(host, path);
  host.getSourceFile = (path, language, onError, create) => {
    const text = virtual.get(path);
    if (text !== undefined) return ts.createSourceFile(path, text, language, true);
    return getSourceFile.call(host, path, language, onError, create);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file === undefined || d.start === undefined) return message;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    const name = d.file.fileName.startsWith(VIRTUAL_ROOT)
      ? d.file.fileName.slice(VIRTUAL_ROOT.length + 1)
      : d.file.fileName;
    return `${name}:${line + 1}:${character + 1} ${message}`;
  });
}
