// What `npm start` runs (packages/examples/dist/main.js), as a user runs it: service, load
// generator and view in one process; Ctrl-C/SIGTERM; bad configuration.
import { execFileSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
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
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}, 60_000);
afterAll(killAll);

describe('npm start (packages/examples/dist/main.js)', () => {
  test('serves documents and /metrics under load, then SIGTERM drains and exits 0', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const proc = start('main', process.execPath, [
      MAIN,
      `--port=${port}`,
      `--metrics-port=${metricsPort}`,
      '--rate=50',
    ]);
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    await waitFor(
      '/metrics',
      () => answers(metricsUrl),
      15_000,
      () => proc.stderr,
    );
    // stdout is a pipe, not a terminal: plain lines, and the pointers printed once at start.
    expect(proc.stdout).toContain(metricsUrl);
    expect(proc.stdout).toContain('docker compose -f packages/examples/deploy/compose.yaml up');
    await waitFor(
      'the load generator to have saved documents',
      async () => {
        const body = await (await fetch(metricsUrl)).text();
        const saved = /docs_document_save_attempts_total\{outcome="success"[^}]*\} (\d+)/.exec(
          body,
        );
        return Number(saved?.[1] ?? 0) > 20 ? true : undefined;
      },
      15_000,
    );
    expect(await stop(proc, 8_000)).toBe(0);
    expect(proc.stdout).toMatch(/req\/s .* saves success .* latency p50 /);
    const summary = /Load generator sent (\d+) requests: .*, (\d+) errors\./.exec(proc.stdout);
    expect(Number(summary?.[1])).toBeGreaterThan(20);
    expect(summary?.[2]).toBe('0');
    expect(proc.stderr).not.toMatch(STACK_FRAME);
  }, 40_000);

  test('with a collector that accepts connections and never answers, SIGTERM exits within the drain budget, nothing left running', async () => {
    // Issue 18, item 6. The exporters' own timeouts are far away (60 s): only the pipeline's
    // shutdown budget (3 s by default) may bound the final export.
    const sockets = new Set<Socket>();
    const hole: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    try {
      const [port, metricsPort] = [await freePort(), await freePort()];
      const proc = start(
        'main',
        process.execPath,
        [MAIN, `--port=${port}`, `--metrics-port=${metricsPort}`, '--rate=20', '--no-ui'],
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(hole.address() as { port: number }).port}`,
          OTEL_EXPORTER_OTLP_TIMEOUT: '60000',
          OTEL_METRIC_EXPORT_TIMEOUT: '60000',
          OTEL_METRIC_EXPORT_INTERVAL: '3600000',
          OTEL_BSP_EXPORT_TIMEOUT: '60000',
          OTEL_BSP_SCHEDULE_DELAY: '200', // spans hang too when the signal comes
        },
      );
      await waitFor(
        'the service to start',
        async () => (proc.stdout.includes('serving on') ? true : undefined),
        15_000,
        () => proc.stderr,
      );
      await waitFor(
        'a span export to hang',
        async () => (sockets.size > 0 ? true : undefined),
        10_000,
      );
      const signalAt = performance.now();
      const code = await stop(proc, 20_000);
      const exitMs = performance.now() - signalAt;
      const output = `${proc.stdout}\n${proc.stderr}`;
      expect(code, output).toBe(0);
      // not ended by the example's stray-handle or overall limits: it ended by itself
      expect(proc.stderr, output).not.toMatch(/kept the process alive|shutdown took longer/);
      // the final metric export's fate was told before the service said it was done
      expect(proc.stderr).toMatch(
        /OTLP http\/protobuf final metric export (was still open|did not start) .*shutdownTimeoutMs, 3000 ms/,
      );
      expect(proc.stderr).not.toMatch(STACK_FRAME);
      expect(exitMs, output).toBeLessThan(8_000); // main.ts's SHUTDOWN_LIMIT_MS
      console.log(
        `[e2e] npm start, collector never answers: exit ${Math.round(exitMs)} ms after SIGTERM`,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      hole.close();
    }
  }, 60_000);

  test('when its parent shell dies (npm stopped by SIGTERM), it drains and exits on its own', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    // `; true` keeps sh from exec-ing node, as npm's `sh -c "build && node ..."` does.
    const shell = start('sh', 'sh', [
      '-c',
      `"${process.execPath}" "${MAIN}" --port=${port} --metrics-port=${metricsPort} --rate=20; true`,
    ]);
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    await waitFor(
      '/metrics',
      () => answers(metricsUrl),
      15_000,
      () => shell.stderr,
    );
    shell.child.kill('SIGKILL'); // the shell goes; node, its child, keeps our pipes open
    await waitFor(
      'the orphaned service to drain and print its summary',
      async () => (shell.stdout.includes('Load generator sent') ? true : undefined),
      10_000,
      () => shell.stdout.slice(-500),
    );
    await waitFor(
      'the /metrics port to close',
      async () =>
        fetch(metricsUrl).then(
          () => undefined,
          () => true,
        ),
      10_000,
    );
  }, 40_000);

  test('a taken metrics port ends with one clear line and a non-zero status, no stack trace', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const proc = start('main', process.execPath, [
        MAIN,
        `--metrics-port=${taken}`,
        `--port=${await freePort()}`,
      ]);
      expect(await proc.exited).toBe(1);
      expect(proc.stderr.trim()).toBe(
        `error: The metrics port 127.0.0.1:${taken} is already in use (is another example running?). Stop the other process or pick another port: --metrics-port <n> or METRICS_PORT=<n>.`,
      );
    } finally {
      blocker.close();
    }
  }, 20_000);

  test('a malformed --otlp-endpoint ends with one clear line naming the flag', async () => {
    const proc = start('main', process.execPath, [MAIN, '--otlp-endpoint', 'http//collector']);
    expect(await proc.exited).toBe(2);
    expect(proc.stderr.trim()).toBe(
      // The value is not echoed (issue 18: an endpoint may hold credentials); what is wrong is said.
      'error: --otlp-endpoint is not a valid URL: it does not start with http:// or https:// (the value is not shown: it may hold credentials). Expected something like http://localhost:4318.',
    );
    expect(proc.stdout).toBe('');
  }, 20_000);

  test('a malformed OTEL_EXPORTER_OTLP_ENDPOINT is reported once, as OpenTelemetry does, and the service starts', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const proc = start(
      'main',
      process.execPath,
      [MAIN, `--port=${port}`, `--metrics-port=${metricsPort}`, '--no-load', '--no-ui'],
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http//collector', OTEL_EXPORTER_OTLP_TIMEOUT: '200' },
    );
    // started, signal handlers included: main prints this line once they are installed
    await waitFor(
      'the service to start',
      async () => (proc.stdout.includes('serving on') ? true : undefined),
      15_000,
      () => proc.stderr,
    );
    expect(await answers(`http://127.0.0.1:${metricsPort}/metrics`)).toBe(true);
    expect(await stop(proc, 8_000)).toBe(0);
    const reports = proc.stderr
      .split('\n')
      .filter((line) => line.includes('OTEL_EXPORTER_OTLP_ENDPOINT (value not shown) is invalid'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/it does not start with http:\/\/ or https:\/\//);
    expect(proc.stderr).not.toContain('http//collector');
    expect(reports[0]).toMatch(/using the exporter's default http:\/\/localhost:4318\/v1\/metrics/);
    expect(proc.stderr).not.toMatch(STACK_FRAME);
  }, 40_000);
});
