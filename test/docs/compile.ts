// Type-checks code blocks of the README and docs/ with the repo's own strict compiler options, as
// virtual files under <repo>/.docs-blocks/ (nothing is written): module resolution then finds the
// workspace packages (their source, through the `@mvx-metrics/source` condition) and node_modules.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

// Parsed files outside the virtual root (lib.d.ts, @types/node, the workspace sources, node_modules),
// shared by every program of this process: the options are the same for all, so a file parses to
// the same tree each time (TypeScript's language service shares source files between programs the
// same way). Type checking stays per program.
const parsed = new Map<string, ts.SourceFile | undefined>();

function programOf(files: Record<string, string>): ts.Program {
  const options = compilerOptions();
  const virtual = new Map(
    Object.entries(files).map(([path, text]) => [join(VIRTUAL_ROOT, path), text]),
  );
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  const virtualDirs = new Set<string>();
  for (const file of virtual.keys()) {
    for (let dir = dirname(file); dir.startsWith(VIRTUAL_ROOT); dir = dirname(dir)) {
      virtualDirs.add(dir);
    }
  }
  host.fileExists = (path) => virtual.has(path) || fileExists.call(host, path);
  host.directoryExists = (path) =>
    virtualDirs.has(path) || (directoryExists?.call(host, path) ?? true);
  host.readFile = (path) => virtual.get(path) ?? readFile.call(host, path);
  host.getSourceFile = (path, language, onError, create) => {
    const text = virtual.get(path);
    if (text !== undefined) return ts.createSourceFile(path, text, language, true);
    const key = `${typeof language === 'object' ? JSON.stringify(language) : language} ${path}`;
    if (!parsed.has(key))
      parsed.set(key, getSourceFile.call(host, path, language, onError, create));
    return parsed.get(key);
  };
  return ts.createProgram([...virtual.keys()], options, host);
}

function readable(d: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.file === undefined || d.start === undefined) return message;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const name = d.file.fileName.startsWith(VIRTUAL_ROOT)
    ? d.file.fileName.slice(VIRTUAL_ROOT.length + 1)
    : d.file.fileName;
  return `${name}:${line + 1}:${character + 1} ${message}`;
}

/**
 * Compiles `files` (path relative to the virtual root → text) as one program and returns its
 * diagnostics as readable lines (`file:line:col message`), empty when everything compiles.
 */
export function compile(files: Record<string, string>): string[] {
  return ts.getPreEmitDiagnostics(programOf(files)).map(readable);
}

/**
 * Compiles several groups of files (each as `compile` takes them; no path in two groups) in ONE
 * program, type-checked once, and returns each group's diagnostics: those in its own files, and
 * every diagnostic that is in no group's file (options, globals, the workspace sources it
 * imports), as `compile` of that group alone would report them. The groups must be modules that
 * do not augment each other (no `declare global`, no `declare module`): the code blocks are.
 */
export function compileGroups(
  groups: Record<string, Record<string, string>>,
): Map<string, string[]> {
  const owner = new Map<string, string>();
  const files: Record<string, string> = {};
  for (const [group, groupFiles] of Object.entries(groups)) {
    for (const [path, text] of Object.entries(groupFiles)) {
      const full = join(VIRTUAL_ROOT, path);
      if (owner.has(full)) throw new Error(`${path} is in groups ${owner.get(full)} and ${group}`);
      owner.set(full, group);
      files[path] = text;
    }
  }
  const result = new Map(Object.keys(groups).map((group) => [group, [] as string[]]));
  const shared: string[] = [];
  for (const d of ts.getPreEmitDiagnostics(programOf(files))) {
    const group = d.file === undefined ? undefined : owner.get(d.file.fileName);
    if (group === undefined) shared.push(readable(d));
    else result.get(group)?.push(readable(d));
  }
  for (const lines of result.values()) lines.push(...shared);
  return result;
}
