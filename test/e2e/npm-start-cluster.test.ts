// `npm start -- --workers N`: the document service as a node:cluster, the load generator and the
// one /metrics in the primary; a SIGKILLed worker is forked again and its counters keep counting;
// SIGTERM drains every worker and the primary and exits 0.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { answers, freePort, killAll, start, stop, waitFor } from './support/processes.js';

const ROOT = join(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'packages/examples/dist/main.js');
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

beforeAll(() => {
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/examples'],
    { cwd: ROOT, stdio: 'inherit' },
  );
}, 60_000);
afterAll(killAll);

/** The pids of a process' children (Linux /proc). */
function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Sum of every `docs_http_server_request_duration_seconds_count` sample on /metrics. */
async function requestsServed(metricsUrl: string): Promise<number> {
  const body = await (await fetch(metricsUrl)).text();
  let sum = 0;
  for (const match of body.matchAll(
    /^docs_http_server_request_duration_seconds_count\{[^}]*\} (\d+)/gm,
  )) {
    sum += Number(match[1]);
  }
  return sum;
}

describe.skipIf(process.platform !== 'linux')('npm start -- --workers 2', () => {
  test('one /metrics for the cluster; a SIGKILLed worker is forked again, the counter never goes back; SIGTERM drains all and exits 0', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const proc = start('cluster', process.execPath, [
      MAIN,
      '--workers=2',
      `--port=${port}`,
      `--metrics-port=${metricsPort}`,
      '--rate=100',
    ]);
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    await waitFor(
      '/metrics',
      () => answers(metricsUrl),
      20_000,
      () => proc.stderr,
    );
    const primary = proc.child.pid as number;
    await waitFor(
      'two workers',
      async () => (children(primary).length === 2 ? true : undefined),
      15_000,
    );
    await waitFor(
      'requests counted',
      async () => ((await requestsServed(metricsUrl)) > 50 ? true : undefined),
      15_000,
    );
    const [victim] = children(primary);
    const before = await requestsServed(metricsUrl);
    process.kill(victim as number, 'SIGKILL');
    await waitFor(
      'the replacement worker',
      async () =>
        /worker \d+ exited \(SIGKILL\); forking a replacement/.test(proc.stderr) ? true : undefined,
      15_000,
      () => proc.stderr,
    );
    await waitFor(
      'two workers again',
      async () =>
        children(primary).length === 2 && !children(primary).includes(victim as number)
          ? true
          : undefined,
      15_000,
    );
    // The series belongs to the primary: never lower than before the kill, and still growing.
    const samples: number[] = [before];
    for (let i = 0; i < 10; i++) {
      samples.push(await requestsServed(metricsUrl));
      await new Promise((r) => setTimeout(r, 200));
    }
    for (let i = 1; i < samples.length; i++) {
      expect(samples[i]).toBeGreaterThanOrEqual(samples[i - 1] as number);
    }
    expect(samples.at(-1)).toBeGreaterThan(before);
    // the view's plain line (every 5 s) names the workers
    await waitFor(
      'the view to show the workers',
      async () =>
        /workers 2 of 2 \(pids \d+ \d+\), 1 restarted/.test(proc.stdout) ? true : undefined,
      15_000,
      () => proc.stdout,
    );

    const workers = children(primary);
    expect(await stop(proc, 15_000)).toBe(0);
    expect(proc.stdout).toMatch(/Load generator sent \d+ requests/);
    expect(proc.stdout).toContain('Workers: drained and exited; 1 died and were forked again.');
    expect(proc.stderr).not.toMatch(STACK_FRAME);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  }, 90_000);
});
