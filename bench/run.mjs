// Runs every bench/*.bench.mjs (sorted), each in its own `node --expose-gc` child process so one
// bench's heap and JIT state never colour another's. `node bench/run.mjs core` runs only the files
// whose name contains `core`. `npm run bench` builds first, then calls this.
//
// Exit code: non-zero when a bench crashes. A MISS is reported in the tables and the summary line
// but does not fail the run: figures are ratios on a shared machine, not assertions.

import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();

if (files.length === 0) {
  console.error(`No bench/*.bench.mjs matches ${filters.join(', ') || '(no filter)'}.`);
  process.exit(1);
}

function runOne(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--expose-gc', join(here, file)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code, signal) => {
      resolve({
        file,
        code: code ?? 1,
        signal,
        seconds: (Date.now() - started) / 1000,
        pass: (out.match(/\| PASS +\|/g) ?? []).length,
        miss: (out.match(/\| MISS +\|/g) ?? []).length,
      });
    });
  });
}

const results = [];
for (const file of files) {
  console.log(`\n## ${file}\n`);
  results.push(await runOne(file));
}

console.log('\n## Summary\n');
for (const r of results) {
  const status = r.code === 0 ? 'ok' : `FAILED (${r.signal ?? `exit ${r.code}`})`;
  console.log(`${r.file}: ${r.pass} PASS, ${r.miss} MISS, ${status}, ${r.seconds.toFixed(1)} s`);
}
process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0;
