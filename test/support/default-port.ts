import { mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where a pipeline's `/metrics` listens when nothing chooses a port (OpenTelemetry's default). */
export const DEFAULT_PROMETHEUS_PORT = 9464;

// One lock for the whole machine: test files in other vitest workers and the other CI lines
// (Node 20, 22 and 24 run at once) take turns on the port instead of failing with EADDRINUSE.
const LOCK = join(tmpdir(), `mvx-tests-port-${DEFAULT_PROMETHEUS_PORT}.lock`);
// Tests hold it for well under a second: an older lock belongs to a run that was killed.
const STALE_MS = 60_000;
const WAIT_MS = 25_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether nothing listens on the default port, on any interface (as the pipeline binds it). */
function bindable(): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(DEFAULT_PROMETHEUS_PORT, () => server.close(() => resolve(true)));
  });
}

/**
 * For a test whose pipeline listens on the default Prometheus port 9464 (what it checks is the
 * default itself): waits for the machine-wide lock of that port, then for the port to be free,
 * and returns the function that releases the lock (call it after the pipeline shut down).
 */
export async function holdDefaultPrometheusPort(): Promise<() => void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_MS) rmSync(LOCK, { recursive: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the lock ${LOCK} of port ${DEFAULT_PROMETHEUS_PORT} was held for ${WAIT_MS} ms`,
        );
      }
      await sleep(50);
    }
  }
  const release = () => rmSync(LOCK, { recursive: true, force: true });
  // Something outside these tests may hold the port for a moment (an example started by hand).
  while (!(await bindable())) {
    if (Date.now() > deadline) {
      release();
      throw new Error(
        `port ${DEFAULT_PROMETHEUS_PORT} is held by a process outside this test run (the default /metrics port: an example started by hand?); stop it and run the test again`,
      );
    }
    await sleep(100);
  }
  return release;
}
