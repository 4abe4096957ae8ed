// The pipeline's reporting helpers at their edges: the default onError's one warning per problem,
// the reporter that wraps what is not ours, and the bounded wait of shutdown.
import type { MetricsError } from '@mvx-metrics/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { safeReporter, warnOncePerProblem, withTimeout } from './lifecycle.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('warnOncePerProblem (the default onError)', () => {
  it('warns once per code and message, numbers aside; ours as they are, the SDK’s under a prefix', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const onError = warnOncePerProblem();
    onError(new OtelBridgeError('export-failed', 'lost 1 points on port 4318'));
    onError(new OtelBridgeError('export-failed', 'lost 25 points on port 9'));
    onError(new OtelBridgeError('export-failed', 'lost some points on port 9'));
    onError(new OtelBridgeError('export-failed', 'lost  points on port 9'));
    onError(new OtelBridgeError('invalid-option', 'lost 1 points on port 4318'));
    onError(new Error('connect ECONNREFUSED 127.0.0.1:4318'));
    onError(new Error('connect ECONNREFUSED 127.0.0.1:4319'));
    expect(warn.mock.calls.map(([text]) => text)).toEqual([
      '[mvx-metrics] lost 1 points on port 4318',
      '[mvx-metrics] lost some points on port 9',
      '[mvx-metrics] lost  points on port 9',
      '[mvx-metrics] lost 1 points on port 4318',
      '[mvx-metrics] OpenTelemetry export failed (reported once per problem): connect ECONNREFUSED 127.0.0.1:4318',
    ]);
  });
});

describe('safeReporter', () => {
  it('passes our errors on as they are, wraps anything else as export-failed with its cause, and contains a throwing handler', () => {
    const seen: Error[] = [];
    const report = safeReporter((error) => {
      seen.push(error);
      throw new Error('handler broke');
    });
    const ours = new OtelBridgeError('export-failed', 'ours');
    const theirs = new Error('theirs');
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(() => {
      report(ours);
      report(theirs);
      report('a string');
      report(revoked.proxy);
    }).not.toThrow();
    expect(seen[0]).toBe(ours);
    for (const error of seen.slice(1)) {
      expect(error).toBeInstanceOf(OtelBridgeError);
      expect((error as MetricsError).code).toBe('export-failed');
    }
    expect(seen[1]?.message).toBe('theirs');
    expect(seen[1]?.cause).toBe(theirs);
    expect(seen[2]?.message).toBe('a string');
    expect(seen).toHaveLength(4);
  });

  it('passes every report through redact on its way out', () => {
    const seen: Error[] = [];
    const report = safeReporter(
      (error) => seen.push(error),
      (error) => new OtelBridgeError('export-failed', `redacted: ${error.message.length}`),
    );
    report(new Error('secret'));
    expect(seen.map((e) => e.message)).toEqual(['redacted: 6']);
  });
});

describe('withTimeout', () => {
  it('is true once the work settles either way, false when it outlasts the time', async () => {
    expect(await withTimeout(Promise.resolve(1), 60_000)).toBe(true);
    expect(await withTimeout(Promise.reject(new Error('no')), 60_000)).toBe(true);
    expect(await withTimeout(new Promise(() => {}), 5)).toBe(false);
  });
});
