// Bundle sizes with esbuild (bench/bundle-sizes.mjs): what a bundler keeps of the packages when an
// application imports a part of them, beside the whole of @mvx-metrics/core bundled the same way.
// Deterministic: one run, no timing. Run after a build.
import { bundleSize, ENTRIES, kb, WHOLE_CORE } from './bundle-sizes.mjs';
import { formatRatio, machine, printTable, row } from './lib.mjs';

console.log(await machine());
const whole = await bundleSize(WHOLE_CORE);
const rows = [];
for (const [name, source] of Object.entries(ENTRIES)) {
  const size = await bundleSize(source);
  rows.push(
    row(
      name,
      `${kb(size.min)} min, ${kb(size.gzip)} gz`,
      'all of @mvx-metrics/core',
      `${kb(whole.min)} min, ${kb(whole.gzip)} gz`,
      formatRatio(size.min / whole.min),
      '(context)',
      undefined,
    ),
  );
}
printTable('Bundle sizes (esbuild --bundle --minify, ESM, OpenTelemetry external)', rows);
