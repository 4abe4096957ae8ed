import type { LoadTotals } from '../load/load-generator.js';
import { SAVE_OUTCOMES, type SaveOutcome } from '../storage/events.js';
import {
  formatBytes,
  formatCount,
  formatRate,
  formatSeconds,
  formatShare,
  formatUptime,
} from './format.js';
import type { ViewModel } from './view-model.js';

/** The static part of the view: who is running and where to look. */
export interface ViewInfo {
  title: string;
  instanceId: string;
  /** `[label, text]` lines shown under the figures (URLs, how to open Grafana, ...). */
  pointers: ReadonlyArray<readonly [string, string]>;
}

/** What changes between frames besides the model. */
export interface FrameContext {
  uptimeSeconds: number;
  load: LoadTotals | undefined;
  /** Per-connection scopes opened since start (removed ones included), when known. */
  connectionsOpened?: number;
  /** The cluster's workers, in one line (cluster mode only). */
  workers?: string;
  /** Problems reported while the view runs (newest last); the newest is shown. */
  problems?: readonly string[];
  /** Use ANSI colours. */
  color: boolean;
  /** Last line of the frame, e.g. how to stop. */
  footer: string;
}

type Paint = (text: string) => string;
const ansi =
  (code: string): Paint =>
  (text) =>
    `\x1b[${code}m${text}\x1b[0m`;
const none: Paint = (text) => text;

function palette(color: boolean) {
  return {
    bold: color ? ansi('1') : none,
    dim: color ? ansi('2') : none,
    label: color ? ansi('36') : none,
    success: color ? ansi('32') : none,
    invalid: color ? ansi('33') : none,
    failure: color ? ansi('31') : none,
    alert: color ? ansi('1;31') : none,
  };
}

const BAR_WIDTH = 30;
/** Visible columns a row's text may use: an 80-column terminal, less the label and one spare. */
const TEXT_WIDTH = 79 - 13;

// biome-ignore lint/suspicious/noControlCharactersInRegex: measuring text without its colours
const visibleLength = (text: string) => [...text.replace(/\x1b\[[0-9;]*m/g, '')].length;

/** The first of `variants` (longest first) that fits a row, else the last. */
function widest(...variants: string[]): string {
  return variants.find((v) => visibleLength(v) <= TEXT_WIDTH) ?? (variants.at(-1) as string);
}

/** One full frame of the live view, as lines (no trailing newline). */
export function renderFrame(model: ViewModel, info: ViewInfo, context: FrameContext): string[] {
  const p = palette(context.color);
  const row = (label: string, text: string) => `  ${p.label(label.padEnd(11))}${text}`;
  const lines: string[] = [];
  lines.push(
    `  ${p.bold(info.title)}   ${p.dim(`instance ${info.instanceId} · up ${formatUptime(context.uptimeSeconds)}`)}`,
    '',
  );

  const methods = Object.entries(model.requests.perSecondByMethod)
    .sort(([a], [b]) => methodOrder(a) - methodOrder(b) || a.localeCompare(b))
    .map(([method, rate]) => `${method} ${formatRate(rate)}`)
    .join('  ');
  lines.push(
    row(
      'Requests',
      `${p.bold(`${formatRate(model.requests.perSecond)}/s`.padEnd(9))} ${methods.padEnd(34)} ${p.dim(`${formatCount(model.requests.total)} total`)}`,
    ),
  );

  const saves = model.saves.totals;
  const allSaves = saves.success + saves.invalid + saves.failure;
  SAVE_OUTCOMES.forEach((outcome, i) => {
    const paint = p[outcome];
    const share = allSaves > 0 ? saves[outcome] / allSaves : 0;
    const bar = '█'.repeat(Math.round(share * BAR_WIDTH)).padEnd(BAR_WIDTH, '·');
    const text = `${outcome.padEnd(8)} ${formatShare(saves[outcome], allSaves).padStart(6)}  ${paint(bar)} ${formatCount(saves[outcome]).padStart(8)}`;
    lines.push(
      row(
        i === 0 ? 'Saves' : '',
        i === 0 ? `${text}   ${p.dim(`${formatRate(model.saves.perSecond)}/s`)}` : text,
      ),
    );
  });

  const latency = model.latency;
  lines.push(
    row(
      'Latency',
      latency === undefined
        ? p.dim('no saves yet')
        : `p50 ${p.bold(formatSeconds(latency.p50).padEnd(8))} p90 ${p.bold(formatSeconds(latency.p90).padEnd(8))} p99 ${p.bold(formatSeconds(latency.p99).padEnd(8))} ${p.dim(`${windowLabel(model)}, ${formatCount(latency.count)} saves`)}`,
    ),
  );
  lines.push(
    row('Storage', `${formatCount(model.documents)} documents   ${formatBytes(model.bytes)}`),
  );
  const others = model.recorders.alive - model.recorders.connections;
  const alive = `${formatCount(model.recorders.alive)} alive: ${formatCount(others)} service + ${formatCount(model.recorders.connections)} per-connection`;
  const opened = context.connectionsOpened;
  lines.push(
    row(
      'Recorders',
      opened === undefined
        ? alive
        : widest(
            `${alive}${p.dim(`  (${formatCount(opened)} opened, ${formatCount(opened - model.recorders.connections)} removed)`)}`,
            `${alive}${p.dim(`  (${formatCount(opened)} opened)`)}`,
            alive,
          ),
    ),
  );
  if (context.workers !== undefined) lines.push(row('Workers', context.workers));
  if (model.scopes.length > 0) {
    // The newest scopes (at most 4) that fit the row, with how many more are alive.
    const shown: string[] = [];
    for (const s of model.scopes.slice(-4).reverse()) {
      const candidate = [`${s.name} ${p.dim(formatCount(s.requests))}`, ...shown];
      const hidden = model.scopes.length - candidate.length;
      const more = hidden > 0 ? `${p.dim(`+${formatCount(hidden)} more`)}  ` : '';
      if (shown.length > 0 && visibleLength(`${more}${candidate.join('  ')}`) > TEXT_WIDTH) break;
      shown.unshift(candidate[0] as string);
    }
    const hidden = model.scopes.length - shown.length;
    const more = hidden > 0 ? `${p.dim(`+${formatCount(hidden)} more`)}  ` : '';
    lines.push(row('', `${more}${shown.join('  ')}`));
  }
  const pl = model.pipeline;
  const dropped = pl.dropped > 0 ? p.alert(formatCount(pl.dropped)) : formatCount(pl.dropped);
  const failed = pl.failed > 0 ? p.alert(formatCount(pl.failed)) : formatCount(pl.failed);
  lines.push(
    row(
      'Events',
      widest(
        `pending ${formatCount(pl.pending)}   dropped ${dropped}   failed ${failed}   ${p.dim(`processed ${formatCount(pl.processed)}`)}`,
        `pending ${formatCount(pl.pending)}  dropped ${dropped}  failed ${failed}  ${p.dim(`processed ${formatCount(pl.processed)}`)}`,
        `pending ${formatCount(pl.pending)} dropped ${dropped} failed ${failed} ${p.dim(`done ${formatCount(pl.processed)}`)}`,
      ),
    ),
  );
  if (context.load !== undefined) {
    const [sent, saves] = loadSummary(context.load, p);
    const one = `${sent} · ${saves}`;
    if (visibleLength(one) <= TEXT_WIDTH) lines.push(row('Load', one));
    else lines.push(row('Load', sent), row('', saves));
  }
  const problems = context.problems ?? [];
  if (problems.length > 0) {
    lines.push(
      row('Problems', p.alert(`${problems.length}, latest: ${problems[problems.length - 1]}`)),
    );
  }
  lines.push('');
  for (const [label, text] of info.pointers) lines.push(row(label, text));
  lines.push('', `  ${p.dim(context.footer)}`);
  return lines;
}

/** One plain line for logs (no ANSI), for when stdout is not a terminal. */
export function renderLine(
  model: ViewModel,
  load: LoadTotals | undefined,
  workers?: string,
): string {
  const s = model.saves.totals;
  const all = s.success + s.invalid + s.failure;
  const l = model.latency;
  const parts = [
    `${formatRate(model.requests.perSecond)} req/s (${formatCount(model.requests.total)} total)`,
    `saves success ${formatShare(s.success, all)} invalid ${formatShare(s.invalid, all)} failure ${formatShare(s.failure, all)}`,
    l === undefined
      ? 'latency -'
      : `latency p50 ${formatSeconds(l.p50)} p90 ${formatSeconds(l.p90)} p99 ${formatSeconds(l.p99)}`,
    `${formatCount(model.documents)} docs ${formatBytes(model.bytes)}`,
    `recorders ${model.recorders.alive} (${model.recorders.connections} connections)`,
    `pending ${model.pipeline.pending} dropped ${model.pipeline.dropped} failed ${model.pipeline.failed}`,
  ];
  if (load !== undefined) parts.push(`load sent ${formatCount(load.sent)} errors ${load.errors}`);
  if (workers !== undefined) parts.push(`workers ${workers}`);
  return parts.join(' | ');
}

const METHOD_ORDER = ['PUT', 'GET', 'DELETE'];
function methodOrder(method: string): number {
  const i = METHOD_ORDER.indexOf(method);
  return i < 0 ? METHOD_ORDER.length : i;
}

function windowLabel(model: ViewModel): string {
  return model.latency?.sinceStart === false
    ? `last ${Math.round(model.windowSeconds)} s`
    : 'since start';
}

/** What the load generator sent, and how its saves were answered. */
function loadSummary(load: LoadTotals, p: ReturnType<typeof palette>): [string, string] {
  const s = load.saves;
  const outcome = (o: SaveOutcome, word: string) => p[o](`${formatCount(s[o])} ${word}`);
  const errors = `${formatCount(load.errors)} errors`;
  return [
    `sent ${formatCount(load.sent)} · ${load.errors > 0 ? p.alert(errors) : errors}`,
    `saves ${outcome('success', 'ok')} / ${outcome('invalid', 'invalid')} / ${outcome('failure', 'failed')}`,
  ];
}
