import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Consumer } from './consumer.js';

const app = fileURLToPath(new URL('../fixtures/app/', import.meta.url));

/** A TypeScript consumer setup: the package type of its folder and its compiler options. */
export interface TsVariant {
  readonly name: string;
  readonly type: 'module' | 'commonjs';
  readonly compilerOptions: Record<string, unknown>;
  /** Whether `tsc` emits (and the test then runs `dist/main.js`). */
  readonly runs: boolean;
  /** The error tsc must report instead, for a setup the README says is unsupported. */
  readonly rejects?: RegExp;
}

// skipDefaultLibCheck: TypeScript's own lib.*.d.ts are not checked again in each of the six
// projects (3.0 of a project's 6.9 CPU-s of checking, in a profile of the TS API); our declarations
// and every other library's still are (skipLibCheck stays off but for the node10 project below).
const common = {
  target: 'es2022',
  strict: true,
  types: ['node'],
  outDir: 'dist',
  skipDefaultLibCheck: true,
};

/** The `module` settings users pick, each in its own folder with the README's three snippets. */
export const TS_VARIANTS: readonly TsVariant[] = [
  { name: 'nodenext', type: 'module', compilerOptions: { module: 'nodenext' }, runs: true },
  { name: 'node16', type: 'module', compilerOptions: { module: 'node16' }, runs: true },
  {
    name: 'bundler',
    type: 'module',
    compilerOptions: { module: 'esnext', moduleResolution: 'bundler', noEmit: true },
    runs: false,
  },
  // vitest's own typings do not resolve under node10 resolution (module commonjs): skipLibCheck.
  {
    name: 'commonjs',
    type: 'commonjs',
    compilerOptions: { module: 'commonjs', skipLibCheck: true },
    runs: true,
  },
  // TypeScript >= 5.8 under nodenext accepts require() of ESM-only packages, as Node >= 20.19 does.
  { name: 'nodenext-cjs', type: 'commonjs', compilerOptions: { module: 'nodenext' }, runs: true },
  // What the README says is not supported: node16 from CommonJS files cannot import ESM-only packages.
  {
    name: 'node16-cjs',
    type: 'commonjs',
    compilerOptions: { module: 'node16' },
    runs: false,
    rejects: /events\.ts.*error TS1479: .*ECMAScript module.*import\("@mvx-metrics\/core"\)/,
  },
];

/** Copies the app fixture into `folder` (production class, wiring, unit test), optionally rewritten. */
export function copyApp(
  consumer: Consumer,
  folder: string,
  rewrite = (text: string) => text,
): void {
  for (const file of readdirSync(app)) {
    consumer.write(`${folder}/${file}`, rewrite(readFileSync(`${app}${file}`, 'utf8')));
  }
}

/** Writes one variant's folder: package.json (type), tsconfig.json, the app. */
export function writeTsVariant(consumer: Consumer, variant: TsVariant): string {
  const folder = `ts-${variant.name}`;
  copyApp(consumer, folder);
  consumer.write(`${folder}/package.json`, JSON.stringify({ type: variant.type }));
  consumer.write(
    `${folder}/tsconfig.json`,
    JSON.stringify({
      compilerOptions: { ...common, ...variant.compilerOptions },
      include: ['*.ts'],
    }),
  );
  return folder;
}

/** Every public entry point, loaded the way `style` says; prints what each exposes. */
export function loaderScript(style: 'import' | 'require'): string {
  const entries = [
    '@mvx-metrics/core',
    '@mvx-metrics/core/testing',
    '@mvx-metrics/otel-bridge',
    '@mvx-metrics/otel-bridge/pipeline',
  ];
  const load =
    style === 'import'
      ? (e: string) => `await import(${JSON.stringify(e)})`
      : (e: string) => `require(${JSON.stringify(e)})`;
  const body = entries.map((e) => `  [${JSON.stringify(e)}, Object.keys(${load(e)}).sort()],`);
  const text = `const loaded = Object.fromEntries([\n${body.join('\n')}\n]);\nconsole.log('@@RESULT@@' + JSON.stringify(loaded));\n`;
  return style === 'import' ? text : `'use strict';\n${text}`;
}
