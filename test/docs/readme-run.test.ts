// The README's three snippets run as written: the production class and the three-line test under
// Vitest, and the wiring module as a process whose /metrics shows the series its comment names,
// and which exits 0 on SIGTERM. The blocks are transpiled (types stripped, nothing else changed)
// into a scratch folder inside the repo, so they import the built packages as a user's code does
// (run after `npm run build`; `npm test` builds first).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { codeBlocks, ROOT } from './markdown.js';

const dir = join(ROOT, '.docs-blocks', `readme-run-${process.pid}`);
const readmeFiles = codeBlocks('README.md').flatMap((b) => {
  const path = b.marker?.startsWith('ts-file:')
    ? b.marker.slice('ts-file:'.length).trim()
    : undefined;
  return path === undefined ? [] : [{ path, code: b.code }];
});

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(command, args, { cwd: dir, env: { ...process.env, ...env }, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const started: ChildProcess[] = [];
beforeAll(() => {
  for (const file of readmeFiles) {
    const js = ts.transpileModule(file.code, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    }).outputText;
    const target = join(dir, file.path.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(
    join(dir, 'vitest.config.mjs'),
    "export default { test: { include: ['src/**/*.test.js'] } };\n",
  );
});
afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe("the README's snippets run", () => {
  test('the README has its three files: production class, test, wiring', () => {
    expect(readmeFiles.map((f) => f.path).sort()).toEqual([
      'src/document-storage.test.ts',
      'src/document-storage.ts',
      'src/main.ts',
    ]);
  });

  test('the three-line test passes under Vitest', async () => {
    const vitest = join(ROOT, 'node_modules/vitest/vitest.mjs');
    const { child, exited, output } = run(process.execPath, [
      vitest,
      'run',
      '--root',
      dir,
      '--config',
      join(dir, 'vitest.config.mjs'),
    ]);
    started.push(child);
    const code = await exited;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the child's colours
    expect(output().replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Tests\s+1 passed/);
    expect(code).toBe(0);
  }, 60_000);

  test('the wiring serves the series its comment names, and exits 0 on SIGTERM', async () => {
    const main = readmeFiles.find((f) => f.path === 'src/main.ts')?.code ?? '';
    const shown = /Prometheus: (\w+)\{([^}]*)\} (\S+)/.exec(main);
    expect(shown, 'main.ts says which series it produces').not.toBeNull();
    const [, name, labels, value] = shown as RegExpExecArray;
    const port = await freePort();
    const servicePort = await freePort();
    const service = run(process.execPath, ['src/main.js'], {
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      PORT: String(servicePort),
    });
    started.push(service.child);
    let answered = false; // one request, once the service listens
    for (let i = 0; i < 100 && !answered && service.child.exitCode === null; i++) {
      answered = await fetch(`http://127.0.0.1:${servicePort}/documents/a`, { method: 'PUT' })
        .then(async (res) => (await res.text()) === '')
        .catch(() => false);
      if (!answered) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answered, `the service answered (output: ${service.output()})`).toBe(true);
    let sample: string | undefined;
    for (let i = 0; i < 100 && sample === undefined && service.child.exitCode === null; i++) {
      const body = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((res) => res.text())
        .catch(() => '');
      sample = body.split('\n').find((line) => line.startsWith(`${name}{`));
      if (sample === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sample, `/metrics has ${name} (output: ${service.output()})`).toBeDefined();
    for (const label of (labels as string).split(',')) expect(sample).toContain(label);
    expect(sample?.split(' ').at(-1)).toBe(value);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  }, 60_000);
});
