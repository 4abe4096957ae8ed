/** `4312` → `4,312`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A rate with one decimal below 100, none above. */
export function formatRate(perSecond: number): string {
  return perSecond < 100 ? perSecond.toFixed(1) : Math.round(perSecond).toString();
}

/** Seconds as a readable latency: `850 µs`, `4.2 ms`, `31 ms`, `1.25 s`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 0.001) return `${Math.round(seconds * 1e6)} µs`;
  if (seconds < 0.01) return `${(seconds * 1000).toFixed(1)} ms`;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  return `${seconds.toFixed(2)} s`;
}

/** Bytes with binary prefixes: `512 B`, `3.4 KiB`, `12.0 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Whole seconds as `h:mm:ss`. */
export function formatUptime(seconds: number): string {
  const s = Math.floor(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** `part / whole` as a percentage with one decimal; `0.0%` when `whole` is 0. */
export function formatShare(part: number, whole: number): string {
  return `${whole > 0 ? ((part / whole) * 100).toFixed(1) : '0.0'}%`;
}

/** Cuts `line` to `columns` visible characters, ANSI colour codes kept intact (and reset if cut). */
export function fitToWidth(line: string, columns: number): string {
  let visible = 0;
  let i = 0;
  while (i < line.length) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i);
      if (end < 0) break;
      i = end + 1;
      continue;
    }
    if (visible === columns) return `${line.slice(0, i)}\x1b[0m`;
    const code = line.codePointAt(i) as number;
    i += code > 0xffff ? 2 : 1;
    visible++;
  }
  return line;
}
