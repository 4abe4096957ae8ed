// The README and the guides as data: their code blocks (with the HTML comment that marks each),
// links and tables. Shared by the tests of test/docs/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** README.md and every guide in docs/ (not the generated docs/api/), as repo-relative paths. */
export function markdownFiles(): string[] {
  const guides = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...guides];
}

export function readMarkdown(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

export interface CodeBlock {
  /** The markdown file, repo-relative. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** The HTML comment on the line right above the fence (`<!-- … -->`), without the delimiters. */
  marker: string | undefined;
}

/** Every fenced code block of a markdown file, in order. */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readMarkdown(file).split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] as string);
    if (open === null) continue;
    let end = i + 1;
    while (end < lines.length && lines[end] !== '```') end++;
    const above = i > 0 ? /^<!--\s*([\s\S]*?)\s*-->$/.exec(lines[i - 1] as string) : null;
    blocks.push({
      file,
      line: i + 1,
      lang: open[1] ?? '',
      code: `${lines.slice(i + 1, end).join('\n')}\n`,
      marker: above?.[1],
    });
    i = end;
  }
  return blocks;
}

/** The repo file a block quotes, when its first line is `// <path>` of an existing file. */
export function quotedFile(block: CodeBlock): string | undefined {
  const first = /^\/\/ (\S+)/.exec(block.code)?.[1];
  if (first === undefined || !/\.(ts|js|mjs|cjs)$/.test(first)) return undefined;
  return existsSync(join(ROOT, first)) ? first : undefined;
}

/** The markdown with its code blocks blanked out (links and tables inside code do not count). */
export function prose(file: string): string {
  return readMarkdown(file).replace(/^```[\s\S]*?^```$/gm, (block) => block.replace(/[^\n]/g, ''));
}

export interface Link {
  file: string;
  line: number;
  target: string;
}

/** Every inline markdown link `[text](target)` outside code blocks. */
export function links(file: string): Link[] {
  const found: Link[] = [];
  prose(file)
    .split('\n')
    .forEach((text, index) => {
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        found.push({ file, line: index + 1, target: m[1] as string });
      }
    });
  return found;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a markdown file's headings (with GitHub's `-1`, `-2` for repeats). */
export function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const m of prose(file).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(m[1] as string);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

export interface Table {
  file: string;
  /** 1-based line of the header row. */
  line: number;
  header: string[];
  rows: { line: number; cells: string[]; text: string }[];
  /** The HTML comment right above the header, without the delimiters. */
  marker: string | undefined;
}

const cellsOf = (row: string) =>
  row
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());

/** Every markdown table outside code blocks. */
export function tables(file: string): Table[] {
  const lines = prose(file).split('\n');
  const result: Table[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const header = lines[i] as string;
    if (!header.startsWith('|') || !/^\|[\s:|-]+\|$/.test(lines[i + 1] as string)) continue;
    const above = i > 0 ? /^<!--\s*([\s\S]*?)\s*-->$/.exec(lines[i - 1] as string) : null;
    const table: Table = {
      file,
      line: i + 1,
      header: cellsOf(header),
      rows: [],
      marker: above?.[1],
    };
    let r = i + 2;
    for (; r < lines.length && (lines[r] as string).startsWith('|'); r++) {
      table.rows.push({
        line: r + 1,
        cells: cellsOf(lines[r] as string),
        text: lines[r] as string,
      });
    }
    result.push(table);
    i = r;
  }
  return result;
}
