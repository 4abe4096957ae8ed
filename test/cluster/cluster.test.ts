import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot, resultOf, runNode } from '../reliability/support/child.js';

const app = `${repoRoot}/test/cluster/fixtures/cluster-app.mjs`;
const forkPrimary = `${repoRoot}/test/cluster/fixtures/fork-primary.mjs`;

interface Books {
  registered: number;
  received: number;
  dropped: number;
  unserialisable: number;
  inFlight: number;
  lost: number;
  unknownRecorder: number;
}
interface AppResult {
  sent: number;
  ok: number;
  killed: number[];
  exitCodes: { code: number | null; signal: string | null }[];
  counter: number;
  wentDown: number;
  primary: Books & { workers: number; connected: number };
  recorder: { registered: number; accepted: number; dropped: number; pending: number };
  workerStats: {
    registered: number;
    sent: number;
    dropped: number;
    lost: number;
    pending: number;
  }[];
  errors: { code: string; message: string }[];
  heapMB: { start: number; peak: number };
}

/** Runs the cluster app, SIGTERMs its primary (by pid) once it printed `ready`. */
function runApp(scenario: string, env: Record<string, string> = {}) {
  return runNode(app, [scenario], {
    nodeArgs: ['--expose-gc'],
    env,
    timeoutMs: 60_000,
    onLine: (line, child) => {
      if (line === 'ready' && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    },
  });
}

/** Whether `pid` still runs (a zombie left to a container's init that does not reap counts as ended). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Waits up to 5 s for `pid` to end. */
async function ended(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

describe('cluster mode with real node:cluster workers', () => {
  beforeAll(() => ensureBuilt('packages/core'), 120_000);

  it('keeps every event accounted for and the counter monotonic while workers are SIGKILLed and re-forked, then drains on SIGTERM', async () => {
    const run = await runApp('kill', { WORKERS: '2', KILLS: '3', KILL_EVERY_MS: '400' });
    expect(run.timedOut).toBe(false);
    expect({ code: run.code, signal: run.signal }, `${run.stdout}\n${run.stderr}`).toEqual({
      code: 0,
      signal: null,
    });
    const r = resultOf<AppResult>(run);
    const p = r.primary;
    // three SIGKILLs, each worker re-forked: 2 + 3 workers in all, every one disconnected at the end
    expect(r.killed).toHaveLength(3);
    expect(p.workers).toBe(5);
    expect(p.connected).toBe(0);
    expect(r.exitCodes).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    // conservation across the boundary: registered = accepted + counted drops + counted losses
    expect(p.registered).toBe(p.received + p.dropped + p.unserialisable + p.lost);
    expect(p.inFlight).toBe(0);
    expect(p.unknownRecorder).toBe(0);
    expect(r.recorder.pending).toBe(0);
    expect(r.recorder.accepted + r.recorder.dropped).toBe(p.received);
    expect(r.counter).toBe(r.recorder.accepted);
    // against what clients saw: every answered request's event is in the books (workers answer
    // after the turn that ships its batch), and nothing is counted that was not requested
    expect(r.ok).toBeGreaterThan(0);
    expect(p.received + p.dropped + p.lost).toBeGreaterThanOrEqual(r.ok);
    expect(p.registered).toBeLessThanOrEqual(r.sent);
    // the series belongs to the primary: sampled every 20 ms, it never went down
    expect(r.wentDown).toBe(0);
    // the surviving workers' own books balance and match what the primary got from them
    for (const w of r.workerStats) {
      expect(w.registered).toBe(w.sent + w.dropped + w.lost + w.pending);
      expect(w.pending).toBe(0);
    }
    for (const pid of r.killed) expect(await ended(pid)).toBe(true);
  }, 90_000);

  it('counts and reports once what a SIGKILLed worker announced but never delivered', async () => {
    const run = await runApp('burst-kill', { WORKERS: '2' });
    expect(run.timedOut).toBe(false);
    expect({ code: run.code, signal: run.signal }, `${run.stdout}\n${run.stderr}`).toEqual({
      code: 0,
      signal: null,
    });
    const r = resultOf<AppResult>(run);
    const p = r.primary;
    console.log('burst-kill: primary', p);
    expect(r.killed).toHaveLength(1);
    // 200 000 registered in one go: the bound (65 536) dropped the rest, the queue behind the
    // message being written was announced, and died with the worker
    expect(p.registered).toBe(200_000);
    expect(p.lost).toBeGreaterThan(0);
    expect(p.dropped).toBeGreaterThan(0);
    expect(p.registered).toBe(p.received + p.dropped + p.unserialisable + p.lost);
    expect(r.counter).toBe(p.received);
    const reports = r.errors.filter((e) => e.code === 'worker-events-lost');
    expect(reports).toHaveLength(1);
    expect(reports[0]?.message).toContain(`with ${p.lost} event(s)`);
  }, 90_000);

  it('bounds the primary when a worker floods: drops are counted, memory stays flat', async () => {
    const run = await runApp('flood', { WORKERS: '2' });
    expect(run.timedOut).toBe(false);
    expect({ code: run.code, signal: run.signal }, `${run.stdout}\n${run.stderr}`).toEqual({
      code: 0,
      signal: null,
    });
    const r = resultOf<AppResult>(run);
    const p = r.primary;
    const flooder = r.workerStats.find((w) => w.registered > 0);
    expect(flooder).toBeDefined();
    // the flooder registered far more than its 4096-event bound; the excess is counted, not queued
    expect(flooder?.dropped).toBeGreaterThan(0);
    expect(flooder?.registered).toBe(
      (flooder?.sent ?? 0) + (flooder?.dropped ?? 0) + (flooder?.lost ?? 0),
    );
    expect(p.registered).toBe(p.received + p.dropped + p.unserialisable + p.lost);
    expect(r.recorder.accepted + r.recorder.dropped).toBe(p.received);
    expect(r.counter).toBe(r.recorder.accepted);
    // the primary knows of the flooder's drops: they are announced with its batches
    expect(p.dropped).toBe(flooder?.dropped);
    // the primary's heap while flooded: bounded by its recorder's buffer, not by the flood
    expect(r.heapMB.peak - r.heapMB.start).toBeLessThan(64);
  }, 90_000);
});

describe('a primary that dies', () => {
  beforeAll(() => ensureBuilt('packages/core'), 120_000);

  it('leaves a forked child serving: its events are dropped and counted, its memory flat', async () => {
    const primary = spawn(process.execPath, [forkPrimary], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let childPid: number | undefined;
    try {
      const { pid, port } = await new Promise<{ pid: number; port: number }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no child line in 20 s')), 20_000);
        let out = '';
        primary.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const match = /child (\d+) (\d+)/.exec(out);
          if (match === null) return;
          clearTimeout(timer);
          resolve({ pid: Number(match[1]), port: Number(match[2]) });
        });
      });
      childPid = pid;
      const get = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).text();
      await get('/');
      const exited = new Promise((resolve) => primary.once('exit', resolve));
      process.kill(primary.pid as number, 'SIGKILL');
      await exited;
      // served after the primary is gone: 20 rounds of 50 requests of 100 events each
      const heaps: number[] = [];
      for (let round = 0; round < 20; round++) {
        const bodies = await Promise.all(Array.from({ length: 50 }, () => get('/')));
        expect(bodies.every((b) => b === 'ok')).toBe(true);
        heaps.push(JSON.parse(await get('/stats')).heapMB);
      }
      const s = JSON.parse(await get('/stats'));
      expect(s.connected).toBe(false);
      expect(s.stats.registered).toBe(100 + 20 * 50 * 100);
      // nothing queued for a primary that cannot come back: every later event dropped and counted
      expect(s.stats.pending).toBe(0);
      expect(s.stats.registered).toBe(s.stats.sent + s.stats.dropped + s.stats.lost);
      // what was buffered when the channel closed is lost, everything after dropped: all counted
      expect(s.stats.sent).toBeLessThanOrEqual(100);
      expect(s.stats.dropped + s.stats.lost).toBeGreaterThanOrEqual(20 * 50 * 100);
      expect(s.errors).toContain('primary-gone');
      // heap flat across 100 000 events (no queue growing behind the dead channel)
      expect(Math.max(...heaps.slice(5)) - (heaps[4] as number)).toBeLessThan(8);
    } finally {
      if (primary.exitCode === null && primary.pid !== undefined) primary.kill('SIGKILL');
      if (childPid !== undefined && alive(childPid)) process.kill(childPid, 'SIGKILL');
    }
    expect(await ended(childPid as number)).toBe(true);
  }, 60_000);
});

describe('a primary that never answers', () => {
  beforeAll(() => ensureBuilt('packages/core'), 120_000);

  it("resolves the child's flush() after its timeout, reports and counts it, and lets the child exit on its own", async () => {
    const run = await runNode(`${repoRoot}/test/cluster/fixtures/silent-primary.mjs`, [], {
      timeoutMs: 30_000,
    });
    expect(run.timedOut).toBe(false);
    const r = resultOf<{
      child: {
        stats: { registered: number; sent: number; flushesTimedOut: number };
        errors: string[];
      };
      code: number | null;
      signal: string | null;
    }>(run);
    // the child ended by itself (no SIGKILL from the parent's hard timer), exit 0
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
    expect(r.child.stats).toMatchObject({ registered: 10, sent: 10, flushesTimedOut: 2 });
    expect(r.child.errors.filter((code) => code === 'flush-timeout')).toHaveLength(1);
  }, 60_000);
});
