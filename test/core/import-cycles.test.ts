// Core has no import cycles, type-only imports included: between files (found by dpdm, which
// parses with the TypeScript compiler and keeps `import type` edges unless told to transform),
// and between the concept folders of packages/core/src (recorder/, runtime/, scheduler/, ...).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DependencyTree, parseCircular, parseDependencyTree } from 'dpdm';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const coreSrc = join(root, 'packages', 'core', 'src');

async function parse(dir: string): Promise<DependencyTree> {
  return parseDependencyTree('**/*.ts', {
    cwd: dir,
    context: dir,
    transform: false, // keep type-only imports: a type cycle is a cycle
    skipDynamicImports: false,
    exclude: /node_modules/,
  });
}

/**
 * The folder-level graph: an edge a → b when a source file of folder a imports a file of folder b.
 * Unit tests beside the code are left out: they import the testing kit and the runtime, and no
 * module imports them.
 */
function folderEdges(tree: DependencyTree): Map<string, Set<string>> {
  // Paths are relative to core's src/, with `/` separators.
  const folder = (file: string) => file.split('/')[0] ?? file;
  const edges = new Map<string, Set<string>>();
  for (const [file, deps] of Object.entries(tree)) {
    if (file.endsWith('.test.ts')) continue;
    const from = folder(file);
    for (const dep of deps ?? []) {
      // Outside core's src/ (packages, Node's built-ins): not part of the graph.
      if (dep.id === null || !(dep.id in tree) || dep.id.startsWith('..')) continue;
      const to = folder(dep.id);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)?.add(to);
    }
  }
  return edges;
}

/** Every cycle of a small directed graph, each as a path that returns to its start. */
function cyclesOf(edges: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const visit = (node: string, path: string[]) => {
    for (const next of edges.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) found.push([...path.slice(at), next]);
      else visit(next, [...path, next]);
    }
  };
  for (const start of edges.keys()) visit(start, [start]);
  return found;
}

describe('core import graph', () => {
  let tree: DependencyTree;
  beforeAll(async () => {
    tree = await parse(coreSrc);
  });

  it('reads every source file of core, type-only imports included', () => {
    const files = Object.keys(tree).filter((f) => !f.includes('node_modules'));
    expect(files).toContain('recorder/types.ts');
    expect(files.length).toBeGreaterThan(40);
    const typeEdge = tree['recorder/types.ts']?.some((d) => d.id === 'metrics/types.ts');
    expect(typeEdge, 'recorder/types.ts imports metrics/types.ts with `import type`').toBe(true);
  });

  it('has no cycle between files', () => {
    expect(parseCircular(tree)).toEqual([]);
  });

  it('has no cycle between concept folders', () => {
    expect(cyclesOf(folderEdges(tree))).toEqual([]);
  });

  it('would report a cycle: the check sees one in a graph that has it', () => {
    const withCycle: DependencyTree = {
      ...tree,
      'scheduler/scheduler.ts': [
        ...(tree['scheduler/scheduler.ts'] ?? []),
        {
          issuer: 'scheduler/scheduler.ts',
          request: '../recorder/types.js',
          kind: tree['recorder/types.ts']?.[0]?.kind as never,
          id: 'recorder/types.ts',
        },
      ],
    };
    expect(parseCircular(withCycle)).not.toEqual([]);
    expect(cyclesOf(folderEdges(withCycle))).not.toEqual([]);
  });
});
