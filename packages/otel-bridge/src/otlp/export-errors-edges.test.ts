// routeExportErrors as pipelines come and go: OpenTelemetry's global error handler (where its
// exporters and readers report failures) reaches every live pipeline's reporter from the first
// one's start, a pipeline that left gets nothing more (calling its undo twice changes nothing),
// and once the last one left, OpenTelemetry's default handler (diag logging) is back.
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { routeExportErrors } from './export-errors.js';

/** diag.error lines, as OpenTelemetry's default (logging) error handler writes them. */
function diagErrors(): string[] {
  const lines: string[] = [];
  const logger: DiagLogger = {
    error: (message: string) => lines.push(message),
    warn: () => {},
    info: () => {},
    debug: () => {},
    verbose: () => {},
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ERROR, suppressOverrideMessage: true });
  return lines;
}

const undos: Array<() => void> = [];
afterEach(() => {
  for (const undo of undos.splice(0)) undo();
  diag.disable();
});

describe('routeExportErrors', () => {
  it('the first route receives failures at once; each live route receives each; a route gone gets none', () => {
    const logged = diagErrors();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const undoA = routeExportErrors((e) => a.push(e));
    undos.push(undoA);
    globalErrorHandler(new Error('one'));
    expect(a.map(String)).toEqual(['Error: one']);
    const undoB = routeExportErrors((e) => b.push(e));
    undos.push(undoB);
    globalErrorHandler(new Error('two'));
    expect(a.map(String)).toEqual(['Error: one', 'Error: two']);
    expect(b.map(String)).toEqual(['Error: two']);
    undoA();
    undoA(); // twice: B still routed, the default handler not back
    globalErrorHandler(new Error('three'));
    expect(a).toHaveLength(2);
    expect(b.map(String)).toEqual(['Error: two', 'Error: three']);
    expect(logged).toEqual([]);
  });

  it("once the last route left, OpenTelemetry's default handler logs to diag again", () => {
    const logged = diagErrors();
    const a: unknown[] = [];
    const undoA = routeExportErrors((e) => a.push(e));
    const undoB = routeExportErrors(() => {});
    undoA();
    globalErrorHandler(new Error('while B lives'));
    expect(logged).toEqual([]);
    undoB();
    globalErrorHandler(new Error('after the last'));
    expect(a).toEqual([]);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('after the last');
    // a new route after that is the first again
    const c: unknown[] = [];
    undos.push(routeExportErrors((e) => c.push(e)));
    globalErrorHandler(new Error('again'));
    expect(c.map(String)).toEqual(['Error: again']);
    expect(logged).toHaveLength(1);
  });
});
