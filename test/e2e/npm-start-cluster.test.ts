// `npm start -- --workers N`: the document service as a node:cluster, the load generator and the
// one /metrics in the primary; a SIGKILLed worker is forked again and its counters keep counting;
// SIGTERM drains every worker and the primary and exits 0.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../bridge/otlp-receiver.js';
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
let collector: OtlpReceiver | undefined;
afterAll(async () => {
  await killAll();
  await collector?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: OTLP/JSON-shaped bodies decoded by the receiver
type Json = any;

/** Per OTLP metrics export, in order: the total count of `http.server.request.duration`. */
function otlpRequestCounts(receiver: OtlpReceiver): number[] {
  const totals: number[] = [];
  for (const request of receiver.requests) {
    if (request.path !== '/v1/metrics') continue;
    const metrics = (request.body as Json).resourceMetrics.flatMap((r: Json) =>
      r.scopeMetrics.flatMap((s: Json) => s.metrics),
    );
    const duration = metrics.find((m: Json) => m.name === 'http.server.request.duration');
    if (duration === undefined) continue;
    totals.push(
      // protobuf decoding leaves out an empty list (no request yet)
      (duration.histogram?.dataPoints ?? []).reduce(
        (sum: number, p: Json) => sum + Number(p.count),
        0,
      ),
    );
  }
  return totals;
}

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

/** Sum of every `http_server_request_duration_seconds_count` sample on /metrics. */
async function requestsServed(metricsUrl: string): Promise<number> {
  const body = await (await fetch(metricsUrl)).text();
  let sum = 0;
  for (const match of body.matchAll(
    /^http_server_request_duration_seconds_count\{[^}]*\} (\d+)/gm,
  )) {
    sum += Number(match[1]);
  }
  return sum;
}

describe.skipIf(process.platform !== 'linux')('npm start -- --workers 2', () => {
  test('one /metrics and OTLP for the cluster; a SIGKILLed worker is forked again, the counter never goes back on either; SIGTERM drains all and exits 0', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    collector = await startOtlpReceiver();
    const proc = start(
      'cluster',
      process.execPath,
      [MAIN, '--workers=2', `--port=${port}`, `--metrics-port=${metricsPort}`, '--rate=100'],
      { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_METRIC_EXPORT_INTERVAL: '300' },
    );
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
    // OTLP (cumulative, every 300 ms, and once more at shutdown) never went back either
    const exported = otlpRequestCounts(collector);
    expect(exported.length).toBeGreaterThan(5);
    for (let i = 1; i < exported.length; i++) {
      expect(exported[i]).toBeGreaterThanOrEqual(exported[i - 1] as number);
    }
    expect(exported.at(-1)).toBeGreaterThanOrEqual(samples.at(-1) as number);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  }, 90_000);

  test('Ctrl-C (SIGINT to the whole process group) drains the workers and the primary without re-forking, exit 0', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const proc = start('cluster-ctrl-c', process.execPath, [
      MAIN,
      '--workers=2',
      `--port=${port}`,
      `--metrics-port=${metricsPort}`,
      '--rate=50',
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
    // main prints this line once its signal handlers are in: a Ctrl-C earlier would meet Node's
    // default handler (it raced under a loaded full run).
    await waitFor(
      'the primary to install its signal handlers',
      async () => (proc.stdout.includes('serving on') ? true : undefined),
      15_000,
      () => proc.stderr,
    );
    const workers = children(primary);
    process.kill(-primary, 'SIGINT'); // the group: primary and workers, as a terminal's Ctrl-C
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
    const code = await proc.exited;
    clearTimeout(timer);
    expect(code, proc.stderr).toBe(0);
    expect(proc.stdout, proc.stderr).toContain(
      'Workers: drained and exited; 0 died and were forked again.',
    );
    expect(proc.stderr).not.toMatch(/forking a replacement/);
    expect(proc.stderr).not.toMatch(STACK_FRAME);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);
});
