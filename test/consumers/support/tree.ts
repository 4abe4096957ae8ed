import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every installed copy of `name` under `dir`'s node_modules (nested copies included), by version. */
export function installedCopies(dir: string, name: string): string[] {
  const found: string[] = [];
  const visit = (nodeModules: string): void => {
    if (!existsSync(nodeModules)) return;
    const manifest = join(nodeModules, name, 'package.json');
    if (existsSync(manifest)) {
      found.push((JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version);
    }
    for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === '.bin') continue;
      if (entry.name.startsWith('@')) {
        for (const scoped of readdirSync(join(nodeModules, entry.name), { withFileTypes: true })) {
          if (scoped.isDirectory())
            visit(join(nodeModules, entry.name, scoped.name, 'node_modules'));
        }
      } else {
        visit(join(nodeModules, entry.name, 'node_modules'));
      }
    }
  };
  visit(join(dir, 'node_modules'));
  return found;
}

/** The `version` of an installed package's manifest. */
export function installedVersion(dir: string, name: string): string {
  const manifest = join(dir, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The dependencies an installed package declares. */
export function declaredDependencies(dir: string, name: string): Record<string, string> {
  const manifest = join(dir, 'node_modules', name, 'package.json');
  return (
    (JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> })
      .dependencies ?? {}
  );
}

/**
 * Every copy of `name` (nested copies included) in `dir`'s package-lock.json, by version: the
 * tree `npm install` lays down from that lockfile. Only for packages nothing marks optional (as
 * the shared OpenTelemetry packages): whether npm installs an optional one depends on the platform
 * and on its dependents, so this throws on one.
 */
export function lockfileCopies(dir: string, name: string): string[] {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; link?: boolean; optional?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`))
    .map(([path, entry]) => {
      if (entry.version === undefined || entry.link === true || entry.optional === true) {
        throw new Error(`package-lock.json: ${path} is a link or optional, not a sure copy`);
      }
      return entry.version;
    });
}
