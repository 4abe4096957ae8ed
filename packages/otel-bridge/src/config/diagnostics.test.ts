import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installDiagLogger } from './diagnostics.js';
import { PipelineEnvironment } from './environment.js';

// The comparison with NodeSDK's own output is test/bridge/diagnostics.test.ts; these are the
// cases of one process holding several pipelines.

function withLevel(level: string): PipelineEnvironment {
  process.env.OTEL_LOG_LEVEL = level;
  return new PipelineEnvironment();
}

describe('installDiagLogger', () => {
  afterEach(() => {
    delete process.env.OTEL_LOG_LEVEL;
    diag.disable();
    vi.restoreAllMocks();
  });

  it('a later pipeline replaces the logger an earlier one installed, at its own level', () => {
    // DiagConsoleLogger writes through the console methods saved when the API loaded: the levels
    // are read from what the API was asked to install.
    const set = vi.spyOn(diag, 'setLogger');
    installDiagLogger(withLevel('debug'));
    installDiagLogger(withLevel('error'));
    expect(set.mock.calls.map(([, options]) => options)).toEqual([
      { logLevel: DiagLogLevel.DEBUG, suppressOverrideMessage: true },
      { logLevel: DiagLogLevel.ERROR, suppressOverrideMessage: true },
    ]);
  });

  it('leaves a logger the application registered, whatever the level asks', () => {
    const seen: string[] = [];
    const logger: DiagLogger = {
      error: (m) => seen.push(m),
      warn: (m) => seen.push(m),
      info: (m) => seen.push(m),
      debug: (m) => seen.push(m),
      verbose: (m) => seen.push(m),
    };
    diag.setLogger(logger, DiagLogLevel.ERROR);
    const env = withLevel('all');
    installDiagLogger(env);
    diag.debug('quiet');
    diag.error('loud');
    expect(seen).toEqual(['loud']);
    expect(env.problems).toEqual([]);
  });

  it('reports an unknown level once, naming the variable and the INFO used instead', () => {
    const env = withLevel(' debug');
    installDiagLogger(env);
    expect(env.problems.map((p) => p.message)).toEqual([
      'createOtelPipeline: OTEL_LOG_LEVEL=" debug" is invalid (expected one of NONE, ERROR, WARN, INFO, DEBUG, VERBOSE, ALL (any case)); using INFO.',
    ]);
  });

  it('installs nothing when the variable is unset or blank', () => {
    for (const level of ['', ' \t']) {
      const set = vi.spyOn(diag, 'setLogger');
      installDiagLogger(withLevel(level));
      expect(set).not.toHaveBeenCalled();
    }
  });
});
