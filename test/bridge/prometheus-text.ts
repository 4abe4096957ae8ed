import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** One sample line of the Prometheus text format, label values unescaped. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses sample lines (comments skipped), undoing the format's escapes in label values. */
export function parseSamples(body: string): Sample[] {
  const samples: Sample[] = [];
  let i = 0;
  while (i < body.length) {
    const end = body.indexOf('\n', i);
    const lineEnd = end === -1 ? body.length : end;
    if (body[i] === '#' || lineEnd === i) {
      i = lineEnd + 1;
      continue;
    }
    let j = i;
    while (j < lineEnd && body[j] !== '{' && body[j] !== ' ') j++;
    const name = body.slice(i, j);
    const labels: Record<string, string> = {};
    if (body[j] === '{') {
      j++;
      while (body[j] !== '}') {
        const eq = body.indexOf('=', j);
        const key = body.slice(j, eq);
        j = eq + 2; // skip ="
        let value = '';
        while (body[j] !== '"') {
          if (body[j] === '\\') {
            const next = body[j + 1];
            value += next === 'n' ? '\n' : next;
            j += 2;
          } else {
            value += body[j];
            j++;
          }
        }
        labels[key] = value;
        j++; // closing quote
        if (body[j] === ',') j++;
      }
      j++; // }
    }
    const valueEnd = body.indexOf('\n', j);
    const rest = body.slice(j, valueEnd === -1 ? body.length : valueEnd).trim();
    samples.push({ name, labels, value: Number(rest.split(' ')[0]) });
    i = (valueEnd === -1 ? body.length : valueEnd) + 1;
  }
  return samples;
}

/** Where promtool is, or undefined. Under CI=true a missing promtool is an error, never a skip. */
export function findPromtool(): string | undefined {
  for (const candidate of ['/usr/bin/promtool', '/usr/local/bin/promtool']) {
    if (existsSync(candidate)) return candidate;
  }
  const which = spawnSync('which', ['promtool'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  if (which.status === 0 && found !== '') return found;
  if (process.env.CI === 'true') {
    throw new Error('promtool is required under CI=true: apt-get install prometheus');
  }
  return undefined;
}

/** Runs `promtool check metrics` on `body`: exit code and combined output. */
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
