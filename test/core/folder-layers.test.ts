// The folders of packages/core/src and packages/otel-bridge/src form layers: a file imports only
// from its own folder and from folders below it, in the order ARCHITECTURE.md declares ("Folder
// layers"). Imports are found by dpdm (the TypeScript compiler's parser), type-only imports
// included, as in import-cycles.test.ts. A folder is a top-level folder of a package's src/ (a
// subfolder belongs to it); the files at the root of src/ (index.ts) are one node, `.`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DependencyTree, parseCircular, parseDependencyTree } from 'dpdm';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const architecture = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8');

const PACKAGES = ['core', 'otel-bridge'] as const;
type Package = (typeof PACKAGES)[number];

async function parse(pkg: Package): Promise<DependencyTree> {
  const dir = join(root, 'packages', pkg, 'src');
  return parseDependencyTree('**/*.ts', {
    cwd: dir,
    context: dir,
    transform: false, // keep type-only imports: a type edge is an edge
    skipDynamicImports: false,
    exclude: /node_modules/,
  });
}

const folderOf = (file: string): string =>
  file.includes('/') ? (file.split('/')[0] as string) : '.';

/** One import from a file of folder `from` into a file of folder `to`, with the file pair. */
interface FolderEdge {
  readonly from: string;
  readonly to: string;
  readonly files: string;
}

/**
 * The folder-level import graph: an edge when a source file of one folder imports a file of
 * another. Unit tests beside the code are left out (they may import anything; no module imports
 * them); imports leaving src/ (packages, Node's built-ins) are not part of the graph.
 */
function folderEdges(tree: DependencyTree): FolderEdge[] {
  const edges = new Map<string, FolderEdge>();
  for (const [file, deps] of Object.entries(tree)) {
    if (file.endsWith('.test.ts') || file.startsWith('..')) continue;
    for (const dep of deps ?? []) {
      if (dep.id === null || !(dep.id in tree) || dep.id.startsWith('..')) continue;
      const from = folderOf(file);
      const to = folderOf(dep.id);
      const files = `${file} -> ${dep.id}`;
      if (from !== to) edges.set(files, { from, to, files });
    }
  }
  return [...edges.values()];
}

/** Every cycle of the folder graph, each as a path that returns to its start. */
function folderCycles(edges: readonly FolderEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, new Set());
    next.get(from)?.add(to);
  }
  const found: string[][] = [];
  const visit = (node: string, path: string[]) => {
    for (const to of next.get(node) ?? []) {
      const at = path.indexOf(to);
      if (at >= 0) found.push([...path.slice(at), to]);
      else visit(to, [...path, to]);
    }
  };
  for (const start of next.keys()) visit(start, [start]);
  return found;
}

/**
 * The layer order of `pkg`'s folders, top to bottom: the first column of the table under
 * ARCHITECTURE.md's heading "### Layers of `packages/<pkg>/src`" (`index.ts` stands for `.`).
 */
function declaredLayers(markdown: string, pkg: Package): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`### Layers of \`packages/${pkg}/src\``));
  if (start < 0) return [];
  const layers: string[] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cell = /^\|\s*`([^`]+)`/.exec(line)?.[1];
    if (cell === undefined) continue; // the header and its separator
    layers.push(cell.endsWith('/') ? cell.slice(0, -1) : '.');
  }
  return layers;
}

/** Imports that go up the order (or sideways into a folder the order does not name). */
function upwardEdges(edges: readonly FolderEdge[], topToBottom: readonly string[]): string[] {
  const rank = (folder: string) => topToBottom.indexOf(folder);
  return edges
    .filter(({ from, to }) => rank(from) < 0 || rank(to) < 0 || rank(from) >= rank(to))
    .map(({ from, to, files }) => `${from}/ -> ${to}/ (${files})`);
}

describe.each(PACKAGES)('the folders of packages/%s/src', (pkg) => {
  let tree: DependencyTree;
  let edges: FolderEdge[];
  let layers: string[];
  beforeAll(async () => {
    tree = await parse(pkg);
    edges = folderEdges(tree);
    layers = declaredLayers(architecture, pkg);
  });

  it('are read whole, type-only imports included', () => {
    const sources = Object.keys(tree).filter((f) => !f.startsWith('..'));
    expect(sources.length).toBeGreaterThan(40);
    expect(edges.length).toBeGreaterThan(20);
  });

  it('have no import cycle between files', () => {
    expect(parseCircular(tree)).toEqual([]);
  });

  it('have no import loop between folders', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('are each declared once in ARCHITECTURE.md’s layer table, and none that is gone', () => {
    const present = new Set(
      Object.keys(tree)
        .filter((f) => !f.startsWith('..'))
        .map(folderOf),
    );
    expect(layers.length, 'a table under "### Layers of `packages/…/src`"').toBeGreaterThan(3);
    expect(new Set(layers).size, 'each folder once').toBe(layers.length);
    expect([...present].sort(), 'the table names exactly the folders of src/').toEqual(
      [...layers].sort(),
    );
  });

  it('import only downward in the declared layer order', () => {
    expect(upwardEdges(edges, layers)).toEqual([]);
  });

  it('would be caught importing upward: one import added from the bottom folder to the top one', () => {
    const bottom = layers[layers.length - 1] as string;
    const top = layers[0] as string;
    const from = Object.keys(tree).find((f) => folderOf(f) === bottom && !f.endsWith('.test.ts'));
    const to = Object.keys(tree).find((f) => folderOf(f) === top);
    expect(from).toBeDefined();
    expect(to).toBeDefined();
    const withUpward: DependencyTree = {
      ...tree,
      [from as string]: [
        ...(tree[from as string] ?? []),
        {
          issuer: from as string,
          request: 'upward',
          kind: tree[to as string]?.[0]?.kind as never,
          id: to as string,
        },
      ],
    };
    const upward = folderEdges(withUpward);
    expect(upwardEdges(upward, layers)).toEqual([`${bottom}/ -> ${top}/ (${from} -> ${to})`]);
    expect(folderCycles(upward)).not.toEqual([]);
  });
});

describe('the layer tables of ARCHITECTURE.md', () => {
  it('are read as written: top first, index.ts as the root node', () => {
    const table = [
      '### Layers of `packages/core/src`, top to bottom',
      '',
      '| Folder | Holds |',
      '| --- | --- |',
      '| `index.ts` | the entry |',
      '| `runtime/` | runtimes |',
      '| `errors/` | errors |',
      '',
      '| `after/` | not part of the table |',
    ].join('\n');
    expect(declaredLayers(table, 'core')).toEqual(['.', 'runtime', 'errors']);
    expect(declaredLayers(table, 'otel-bridge')).toEqual([]);
  });
});
