// Public API reports: one api-extractor report per entry point of each published package, checked
// in under packages/<pkg>/api/. `npm run api` rewrites them after an intended change to the public
// surface; `npm run check:api` (CI) fails while the built declarations differ from the reports.
// api-extractor takes one entry point per run, so this runs it once per `exports` entry.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['packages/core', 'packages/otel-bridge'];
const check = process.argv.includes('--check');

/** `.` → `index`, `./testing` → `testing`: the report file's base name. */
const reportName = (subpath) => (subpath === '.' ? 'index' : subpath.slice(2).replaceAll('/', '-'));

let failed = 0;
for (const pkgDir of PACKAGES) {
  const folder = resolve(root, pkgDir);
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  mkdirSync(join(folder, 'api'), { recursive: true });
  for (const [subpath, conditions] of Object.entries(manifest.exports)) {
    if (typeof conditions !== 'object' || conditions.types === undefined) continue;
    const name = reportName(subpath);
    const temp = join(tmpdir(), `mvx-api-${manifest.name.replace(/\W/g, '-')}-${name}`);
    const config = ExtractorConfig.prepare({
      configObjectFullPath: join(folder, 'api-extractor.json'),
      packageJsonFullPath: join(folder, 'package.json'),
      configObject: {
        projectFolder: folder,
        mainEntryPointFilePath: join(folder, conditions.types),
        compiler: { tsconfigFilePath: join(folder, 'tsconfig.json') },
        apiReport: {
          enabled: true,
          reportFolder: join(folder, 'api'),
          reportTempFolder: temp,
          reportFileName: `${name}.api.md`,
        },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        messages: {
          // Release tags (@public/@beta) are not used here: everything exported is public.
          extractorMessageReporting: { 'ae-missing-release-tag': { logLevel: 'none' } },
          tsdocMessageReporting: { default: { logLevel: 'none' } },
        },
      },
    });
    const result = Extractor.invoke(config, { localBuild: !check, showVerboseMessages: false });
    rmSync(temp, { recursive: true, force: true });
    const label = `${manifest.name}${subpath === '.' ? '' : subpath.slice(1)}`;
    if (result.succeeded && !result.apiReportChanged) {
      console.log(`api: ${label} matches ${pkgDir}/api/${name}.api.md`);
    } else if (!check && result.succeeded) {
      console.log(
        `api: ${label} report updated (${pkgDir}/api/${name}.api.md): review and commit it`,
      );
    } else {
      failed++;
      console.error(
        `api: ${label} differs from ${pkgDir}/api/${name}.api.md — the public surface changed.` +
          ' If intended, run `npm run api` and commit the updated report.',
      );
    }
  }
}
process.exitCode = failed > 0 ? 1 : 0;
