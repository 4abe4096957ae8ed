import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A child process started by a test, with its output kept for error messages. */
export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
  /** Resolves once its stdout and stderr have ended too ('close'): output may arrive after 'exit'. */
  readonly closed: Promise<void>;
}

const started: Started[] = [];

// Last resort if the test process ends without afterAll (e.g. a worker torn down on timeout):
// the children run in their own process groups, so nothing else would stop them.
process.once('exit', () => {
  for (const proc of started) killGroup(proc);
});

/** Starts `command` in its own process group (so {@link killAll} reaches its children too). */
export function start(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Started {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const proc: Started = {
    name,
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => resolve(null));
    }),
    closed: new Promise((resolve) => {
      child.once('close', () => resolve());
      child.once('error', () => resolve());
    }),
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (proc.stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (proc.stderr += chunk));
  started.push(proc);
  return proc;
}

/** Sends SIGTERM and waits for the exit code; SIGKILLs the group after `limitMs`. */
export async function stop(proc: Started, limitMs = 10_000): Promise<number | null> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
  const timer = setTimeout(() => killGroup(proc), limitMs);
  try {
    const code = await proc.exited;
    // What it printed last (a summary line, say) can still be in the pipe at 'exit': wait for its
    // output to end, within the same limit (a grandchild holding the pipe is killed with the group).
    await proc.closed;
    return code;
  } finally {
    clearTimeout(timer);
  }
}

function killGroup(proc: Started): void {
  const pid = proc.child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Kills every process group this test file started, including groups whose leader has exited
 * (an orphaned grandchild may still run in it), and waits for the leaders.
 */
export async function killAll(): Promise<void> {
  const all = started.splice(0);
  for (const proc of all) killGroup(proc);
  await Promise.all(all.map((p) => p.exited));
}

/** A port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Runs `attempt` with `count` ports that were free a moment ago, and again with new ones (at most
 * `tries` times in all) when it fails saying a port is "already in use": between freePort()
 * closing its probe and the child binding, any process may take the port, as a connection's source
 * port too (seen once in CI: the example's service port, taken while two instances started).
 */
export async function onFreePorts<T>(
  count: number,
  attempt: (ports: number[]) => Promise<T>,
  tries = 3,
): Promise<T> {
  for (let tried = 1; ; tried++) {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    try {
      return await attempt(ports);
    } catch (error) {
      if (tried >= tries || !String(error).includes('already in use')) throw error;
    }
  }
}

/** Polls `check` until it returns a value other than `undefined`, or throws with `describe()` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  describe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}. ${lastError ? `Last error: ${String(lastError)}. ` : ''}${describe()}`,
  );
}

/** True once `url` answers 200. */
export async function answers(url: string): Promise<true | undefined> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.ok ? true : undefined;
}
