// installDiagLogger at an edge of several pipelines in one process: once the logger a pipeline
// installed is gone (`diag.disable()`), a later pipeline installs its own again. Sets
// OpenTelemetry's diag logger (ISOLATED_UNITS).
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installDiagLogger } from './diagnostics.js';
import { PipelineEnvironment } from './environment.js';

describe('installDiagLogger after diag.disable()', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    diag.disable();
    vi.restoreAllMocks();
  });

  it('installs again when the logger an earlier pipeline installed was removed', () => {
    const set = vi.spyOn(diag, 'setLogger');
    vi.stubEnv('OTEL_LOG_LEVEL', 'debug');
    installDiagLogger(new PipelineEnvironment());
    diag.disable();
    vi.stubEnv('OTEL_LOG_LEVEL', 'warn');
    installDiagLogger(new PipelineEnvironment());
    expect(set.mock.calls.map(([, options]) => options)).toEqual([
      { logLevel: DiagLogLevel.DEBUG, suppressOverrideMessage: true },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    ]);
  });
});
