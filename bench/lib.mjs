// Shared helpers for bench/*.bench.mjs: timing loops, statistics, formatting and the result table.
// Every figure is printed next to a reference measured in the same process, so the ratio (not the
// absolute number) is what carries from one machine to another.

import { performance } from 'node:perf_hooks';

/** Median of a list of numbers (the list is not modified). */
export function median(values) {
  return percentile(values, 50);
}

/** Nearest-rank percentile `p` (0..100) of a list of numbers. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** Forces a full garbage collection when node runs with `--expose-gc` (bench/run.mjs does). */
export function gc() {
  if (typeof globalThis.gc !== 'function') {
    throw new Error('run benches through `npm run bench` (node --expose-gc)');
  }
  globalThis.gc();
  globalThis.gc();
}

/** Resolves on the next `setImmediate` turn. */
export function nextTurn() {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Times a synchronous operation in ns/op. `run(n)` performs `n` operations and is the only timed
 * code; `between()` (optional, may be async) runs untimed after every `run` call, e.g. to drain a
 * buffer. One sample = `rounds` timed calls of `run(ops)`; the result is the median over
 * `samples` samples after `warmup` untimed samples (which let the JIT settle).
 */
export async function timeSync(run, options = {}) {
  const [result] = await compareSync([{ run, between: options.between }], options);
  return result;
}

// Read once; bench-only (no build task depends on it).
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a bench switch, not an input of a turbo task
const CPU_CLOCK_DEFAULT = process.env.MVX_BENCH_CLOCK === 'cpu';

/** Milliseconds of process CPU time (user + system) so far. */
function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Like {@link timeSync} for several variants (`[{ run, between? }]`) whose samples are
 * interleaved (A, B, C, A, B, C, ...), so a neighbour process that slows the machine for a while
 * slows every variant alike and the ratios stay meaningful. Returns one result per variant.
 * `cpu: true` times with process CPU time instead of the wall clock: a neighbour that takes the
 * CPU away then adds nothing (GC threads of this process still count). `MVX_BENCH_CLOCK=cpu` in
 * the environment makes it the default for every comparison, to cross-check on a busy machine.
 */
export async function compareSync(
  variants,
  { ops, rounds = 1, samples = 7, warmup = 2, cpu = CPU_CLOCK_DEFAULT } = {},
) {
  const now = cpu ? cpuMs : () => performance.now();
  const perOp = variants.map(() => []);
  for (let s = 0; s < warmup + samples; s++) {
    for (let v = 0; v < variants.length; v++) {
      const { run, between } = variants[v];
      let elapsed = 0;
      for (let r = 0; r < rounds; r++) {
        const start = now();
        run(ops);
        elapsed += now() - start;
        if (between !== undefined) await between();
      }
      if (s >= warmup) perOp[v].push((elapsed * 1e6) / (ops * rounds));
    }
  }
  return perOp.map((values) => ({ nsPerOp: median(values), samples: values }));
}

/**
 * Times an asynchronous job of `ops` operations (wall clock, start to settled) and returns the
 * median rate in operations per second over `samples` runs after `warmup` runs.
 */
export async function timeAsync(job, options = {}) {
  const [result] = await compareAsync([job], options);
  return result;
}

/**
 * Like {@link timeAsync} for several jobs, runs interleaved; one result per job. Each result also
 * has `cpuOpsPerSecond`: operations per second of process CPU time (user + system, GC threads
 * included), which a neighbour process stealing the CPU does not change.
 */
export async function compareAsync(jobs, { ops, samples = 5, warmup = 1 } = {}) {
  const rates = jobs.map(() => []);
  const cpuRates = jobs.map(() => []);
  for (let s = 0; s < warmup + samples; s++) {
    for (let j = 0; j < jobs.length; j++) {
      // No forced GC here: a full GC shrinks the young generation, and the job would then pay
      // for regrowing it (more scavenges) — a cost of the harness, not of the code measured.
      const cpu = process.cpuUsage();
      const start = performance.now();
      await jobs[j](ops);
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      if (s >= warmup) {
        rates[j].push((ops * 1000) / ms);
        cpuRates[j].push((ops * 1e6) / (used.user + used.system));
      }
    }
  }
  return rates.map((values, j) => ({
    opsPerSecond: median(values),
    cpuOpsPerSecond: median(cpuRates[j]),
    samples: values,
  }));
}

/** `1234.5` → `'1.23 µs'`, `12.3` → `'12.3 ns'`. */
export function formatNs(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(ns < 10 ? 2 : 1)} ns`;
}

/** Milliseconds with two decimals. */
export function formatMs(ms) {
  return `${ms.toFixed(2)} ms`;
}

/** Events per second as `'12.3 M/s'`. */
export function formatRate(perSecond) {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

/** Bytes with one decimal. */
export function formatBytes(bytes) {
  return `${bytes.toFixed(1)} B`;
}

/** A ratio as `'2.31×'`. */
export function formatRatio(ratio) {
  return `${ratio.toFixed(ratio < 10 ? 2 : 1)}×`;
}

/**
 * One row of a result table.
 * - `figure`: what is measured; `value`: the figure, formatted;
 * - `reference` / `refValue`: the reference measured in the same run, formatted;
 * - `ratio`: figure / reference (formatted), or `''` when not meaningful;
 * - `target`: the target in words; `pass`: `true` / `false`, or `undefined` for context rows.
 */
export function row(figure, value, reference, refValue, ratio, target, pass) {
  return { figure, value, reference, refValue, ratio, target, pass };
}

/** Prints rows as a Markdown table under a title (so it can be pasted into the README). */
export function printTable(title, rows) {
  const header = [
    'Figure',
    'Measured',
    'Reference',
    'Reference value',
    'Ratio',
    'Target',
    'Result',
  ];
  const cells = rows.map((r) => [
    r.figure,
    r.value,
    r.reference,
    r.refValue,
    r.ratio,
    r.target,
    r.pass === undefined ? '(context)' : r.pass ? 'PASS' : 'MISS',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => `| ${c.map((v, i) => String(v).padEnd(widths[i])).join(' | ')} |`;
  const out = [
    `### ${title}`,
    '',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
  ];
  for (const c of cells) out.push(line(c));
  console.log(`${out.join('\n')}\n`);
}

/** Node version, CPU model, core count and load average (other processes skew figures), printed once per bench so a table carries its machine. */
export async function machine() {
  const os = await import('node:os');
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `Node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${os.platform()} ${os.arch()}, load average ${load}`;
}

/** Defeats dead-code elimination: benches pass results here. */
export let sink;
export function consume(value) {
  sink = value;
}
