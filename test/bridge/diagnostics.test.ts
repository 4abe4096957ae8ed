import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ChildResult,
  ensureBuilt,
  repoRoot,
  resultOf,
  runNode,
} from '../reliability/support/child.js';

// OTEL_LOG_LEVEL, NodeSDK (sdk-node 0.223, the installed line) against createOtelPipeline: each
// side in a child process of its own, as a service starts. What `diag` prints is compared line by
// line on the real stdout and stderr.

const script = join(repoRoot, 'test/bridge/fixtures/diag-logger.mjs');
type Side = 'node-sdk' | 'pipeline';

// NodeSDK must not dial a collector from a test; neither side reads anything else.
const quiet = {
  OTEL_TRACES_EXPORTER: 'none',
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
};

function run(side: Side, args: string[], env: Record<string, string>): Promise<ChildResult> {
  return runNode(script, [side, ...args], { env: { ...quiet, ...env }, timeoutMs: 60_000 });
}

/** [stream, line] of every line naming a probe or diag's own registration (version left out). */
function diagLines(result: ChildResult): string[][] {
  const lines: string[][] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    for (const line of result[stream].split('\n')) {
      if (/probe:|global for diag/.test(line))
        lines.push([stream, line.replace(/ v[\d.]+\.$/, '')]);
    }
  }
  return lines;
}

const NAMES = ['NONE', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'VERBOSE', 'ALL'];

/** Level strings as people write them: any case, padded, misspelt, blank, unset (`null`). */
const levelString: fc.Arbitrary<string | null> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...NAMES), fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }))
    .map(([name, upper]) => [...name].map((c, i) => (upper[i] ? c : c.toLowerCase())).join('')),
  fc
    .tuple(fc.constantFrom(...NAMES), fc.constantFrom(' ', '\t', '  '), fc.boolean())
    .map(([name, pad, before]) => (before ? `${pad}${name.toLowerCase()}` : `${name}${pad}`)),
  fc.constantFrom('', '   ', 'warning', 'trace', 'off', 'fatal', '5', 'debug,info', 'Ａll'),
  fc.string({ maxLength: 8 }),
  fc.constant(null),
);

describe('OTEL_LOG_LEVEL: the diag console logger as NodeSDK installs it', () => {
  beforeAll(() => ensureBuilt('packages/otel-bridge'), 120_000);

  it.each(['debug', 'WARN', 'verbose', 'none'])(
    'OTEL_LOG_LEVEL=%s prints the same diag lines on the same streams as NodeSDK, before and after shutdown',
    async (level) => {
      const [sdk, pipeline] = await Promise.all(
        (['node-sdk', 'pipeline'] as const).map((side) =>
          run(side, ['env'], { OTEL_LOG_LEVEL: level }),
        ),
      );
      expect(sdk?.code, sdk?.stderr).toBe(0);
      expect(pipeline?.code, pipeline?.stderr).toBe(0);
      const expected = diagLines(sdk as ChildResult);
      if (level !== 'none') expect(expected.length).toBeGreaterThan(0);
      expect(diagLines(pipeline as ChildResult)).toEqual(expected);
      expect(resultOf<{ reports: string[] }>(pipeline as ChildResult).reports).toEqual([]);
    },
  );

  it('unset or blank: the pipeline prints nothing at all, as NodeSDK prints nothing', async () => {
    for (const level of ['', '  ']) {
      const pipeline = await run('pipeline', ['env'], { OTEL_LOG_LEVEL: level });
      expect(pipeline.stderr).toBe('');
      expect(pipeline.stdout.trim().split('\n')).toEqual(['{"result":{"reports":[]}}']);
      const sdk = await run('node-sdk', ['env'], { OTEL_LOG_LEVEL: level });
      expect(diagLines(sdk)).toEqual([]);
    }
  });

  it('any level string (case, whitespace, junk, blank, unset) gives the lines NodeSDK gives', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(levelString, { minLength: 30, maxLength: 30 }), async (drawn) => {
        // Anchors: a level that prints, a junk value, and unset, whatever was drawn.
        const levels = ['debug', 'no-such-level', null, ...drawn];
        const [sdk, pipeline] = await Promise.all(
          (['node-sdk', 'pipeline'] as const).map((side) =>
            run(side, ['levels', JSON.stringify(levels)], {}),
          ),
        );
        type Output = { level: string | null; lines: string[][]; reports: string[] };
        const expected = resultOf<Output[]>(sdk as ChildResult);
        const actual = resultOf<Output[]>(pipeline as ChildResult);
        expect(expected[0]?.lines.length).toBeGreaterThan(0);
        expect(actual.map(({ level, lines }) => ({ level, lines }))).toEqual(
          expected.map(({ level, lines }) => ({ level, lines })),
        );
        // What NodeSDK silently takes as INFO is reported once, naming the variable.
        for (const { level, reports } of actual) {
          const unknown =
            level !== null && level.trim() !== '' && !NAMES.includes(level.toUpperCase());
          expect({ level, reports: reports.length }).toEqual({ level, reports: unknown ? 1 : 0 });
          if (unknown) expect(reports[0]).toContain('OTEL_LOG_LEVEL=');
        }
      }),
      { numRuns: 1, endOnFailure: true },
    );
  }, 120_000);

  it("keeps a logger the application registered first, which NodeSDK replaces by the console's", async () => {
    const env = { OTEL_LOG_LEVEL: 'debug' };
    type Output = { received: string[]; lines: string[][]; reports: string[] };
    const sdk = resultOf<Output>(await run('node-sdk', ['user-logger'], env));
    const pipeline = resultOf<Output>(await run('pipeline', ['user-logger'], env));
    // NodeSDK: the application's logger is told it is overwritten, the console takes over.
    expect(sdk.received).toEqual([
      expect.stringMatching(/^warn:Current logger will be overwritten/),
    ]);
    expect(sdk.lines).toContainEqual(['stdout', 'probe:running:debug']);
    // The pipeline: the application's logger (WARN) gets the probes, the console nothing.
    expect(pipeline.received).toEqual([
      'error:probe:running:error',
      'warn:probe:running:warn',
      'error:probe:shut-down:error',
      'warn:probe:shut-down:warn',
    ]);
    expect(pipeline.lines).toEqual([]);
  });
});
