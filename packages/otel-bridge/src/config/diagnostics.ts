import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { diagLogLevelFromString } from '@opentelemetry/core';
import type { PipelineEnvironment } from './environment.js';

/** The names `diagLogLevelFromString` knows (any case), as `OTEL_LOG_LEVEL` takes them. */
const LEVELS = ['NONE', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'VERBOSE', 'ALL'];

// Where every copy of @opentelemetry/api 1.x keeps its globals (diag's logger among them). The
// API has no getter for the registered logger, and this key is what its copies share.
const API_GLOBALS = Symbol.for('opentelemetry.js.api.1');

// The logger a pipeline installed (the API's level filter around it): a later pipeline may
// replace its own, never a logger somebody else registered.
let installed: unknown;

/**
 * `OTEL_LOG_LEVEL` as NodeSDK reads it: unset or blank installs nothing; otherwise OpenTelemetry's
 * `DiagConsoleLogger` at the level `diagLogLevelFromString` gives (any case; an unknown name,
 * whitespace included, is `INFO`, and reported). Unlike NodeSDK, a logger already registered
 * (`diag.setLogger` in the application, a NodeSDK) is kept: it was somebody's deliberate choice.
 * Shutdown leaves the logger in place, as NodeSDK's does.
 */
export function installDiagLogger(env: PipelineEnvironment): void {
  const raw = env.string('OTEL_LOG_LEVEL');
  if (raw === undefined) return;
  if (!LEVELS.includes(raw.toUpperCase())) {
    env.invalid('OTEL_LOG_LEVEL', raw, `one of ${LEVELS.join(', ')} (any case)`, 'INFO');
  }
  const current = registeredDiagLogger();
  if (current !== undefined && current !== installed) return;
  diag.setLogger(new DiagConsoleLogger(), {
    // Never undefined for a set value; INFO is also the API's own default.
    logLevel: diagLogLevelFromString(raw) ?? DiagLogLevel.INFO,
    suppressOverrideMessage: true,
  });
  installed = registeredDiagLogger();
}

function registeredDiagLogger(): unknown {
  const globals = (globalThis as Record<symbol, { diag?: unknown } | undefined>)[API_GLOBALS];
  return globals?.diag;
}
