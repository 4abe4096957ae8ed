import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Where a Prometheus binary is (`promtool`, `prometheus`), or undefined with a warning saying how
 * to install it (the tests needing it then skip); under CI=true a missing one throws, never skips.
 */
export function findBinary(name: 'promtool' | 'prometheus'): string | undefined {
  for (const candidate of [`/usr/bin/${name}`, `/usr/local/bin/${name}`]) {
    if (existsSync(candidate)) return candidate;
  }
  const which = spawnSync('which', [name], { encoding: 'utf8' });
  const found = which.stdout.trim();
  if (which.status === 0 && found !== '') return found;
  if (process.env.CI === 'true') {
    throw new Error(`${name} is required under CI=true: apt-get install prometheus`);
  }
  console.warn(`${name} not found: skipping the tests that need it (apt-get install prometheus)`);
  return undefined;
}

/** `promtool check metrics` on a body: its exit code (0 ok, 1 invalid, 3 lint problems) and output. */
export function promtoolCheck(
  promtool: string,
  body: string,
): { status: number | null; output: string } {
  const result = spawnSync(promtool, ['check', 'metrics'], {
    input: body,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * `promtool check metrics`, tolerating only the snake_case style lint on label names a user's own
 * attribute keys chose (`hasOwnProperty`): the findings left (empty = the body is valid and clean).
 */
export function promtoolFindings(promtool: string, body: string): string[] {
  const { status, output } = promtoolCheck(promtool, body);
  const findings = output
    .split('\n')
    .filter((line) => line !== '' && !/label names should be written in 'snake_case'/.test(line));
  if (status !== 0 && status !== 3) findings.push(`promtool exit status ${status}`);
  return findings;
}

/** One sample of the text format, label values unescaped. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the sample lines of a `/metrics` body (comments skipped), undoing label-value escapes. */
export function parseSamples(body: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    let i = 0;
    while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
    const name = line.slice(0, i);
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const eq = line.indexOf('=', i);
        const key = line.slice(i, eq);
        i = eq + 2;
        let value = '';
        while (line[i] !== '"') {
          if (line[i] === '\\') {
            const next = line[i + 1];
            value += next === 'n' ? '\n' : next;
            i += 2;
          } else {
            value += line[i];
            i++;
          }
        }
        if (Object.hasOwn(labels, key)) throw new Error(`duplicate label ${key} in: ${line}`);
        labels[key] = value;
        i++;
        if (line[i] === ',') i++;
      }
      i++;
    }
    samples.push({ name, labels, value: Number(line.slice(i).trim().split(' ')[0]) });
  }
  return samples;
}

/** The family names of a body that carry more than one `# HELP` or `# TYPE` line (none in a valid body). */
export function repeatedFamilies(body: string): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const line of body.split('\n')) {
    const match = /^# (HELP|TYPE) (\S+)/.exec(line);
    if (match === null) continue;
    const id = `${match[1]} ${match[2]}`;
    if (seen.has(id)) repeated.add(match[2] as string);
    seen.add(id);
  }
  return [...repeated];
}

/** A Prometheus server started by a test: its API and how to stop it. */
export interface RunningPrometheus {
  /** `http://127.0.0.1:<port>` of its HTTP API. */
  readonly api: string;
  /** An instant query's result vector. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** The first sample value of an instant query, or NaN. */
  value(expr: string): Promise<number>;
  /** SIGTERM (SIGKILL after 5 s) by pid, then removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `prometheus` on 127.0.0.1 with a free port and a temp dir, scraping `target`
 * (`host:port`) every second; resolves once it is ready (as bench/soak.mjs does).
 */
export async function startPrometheus(binary: string, target: string): Promise<RunningPrometheus> {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { createServer } = await import('node:net');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'mvx-prometheus-'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n  - job_name: test\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    log = (log + chunk).slice(-4000);
  });
  const api = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  const query: RunningPrometheus['query'] = async (expr) => {
    const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { data?: { result?: [] } };
    return body.data?.result ?? [];
  };
  for (let i = 0; ; i++) {
    const ready = await fetch(`${api}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (i >= 150 || child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus did not become ready:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    api,
    query,
    value: async (expr) => Number((await query(expr))[0]?.value[1] ?? Number.NaN),
    stop,
  };
}
