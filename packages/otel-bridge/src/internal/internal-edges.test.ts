// The small helpers of internal/ at their edges: the Reporter's error (code, words, cause only
// when given), a contained handler's argument, the empty resource a producer reports, instrument
// names with and without the namespace, Node's CommonJS "not found" code for an optional
// package, and the default clock's direction. StrykerJS survivors of internal/
// (docs/reliability.md).
import { MetricsWiringError } from '@mvx-metrics/core';
import { describe, expect, it } from 'vitest';
import { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { defaultEpochClock, hrNow } from './clock.js';
import { callContained } from './contain.js';
import { EMPTY_RESOURCE, type OtelResource } from './empty-resource.js';
import { instrumentName } from './instrument-name.js';
import { optionalImport } from './optional-import.js';
import { Reporter } from './report.js';

describe('Reporter', () => {
  it('hands the handler an OtelBridgeError with the code and message, and the cause only when given', () => {
    const seen: unknown[] = [];
    const reporter = new Reporter((error) => seen.push(error));
    const cause = new Error('why');
    reporter.once('a', 'export-failed', 'first', cause);
    reporter.once('b', 'name-clash', 'second');
    const [first, second] = seen as OtelBridgeError[];
    expect(first).toBeInstanceOf(OtelBridgeError);
    expect(first?.code).toBe('export-failed');
    expect(first?.message).toBe('first');
    expect(first?.cause).toBe(cause);
    expect(second?.code).toBe('name-clash');
    expect(second?.message).toBe('second');
    expect(second !== undefined && 'cause' in second).toBe(false);
  });
});

describe('callContained', () => {
  it('calls the handler once with the argument', () => {
    const calls: unknown[] = [];
    const argument = { a: 1 };
    callContained((x) => calls.push(x), argument);
    expect(calls).toEqual([argument]);
    expect(calls[0]).toBe(argument);
  });
});

describe('EMPTY_RESOURCE', () => {
  it('has no attributes, and merging it yields the other resource (itself when there is none)', () => {
    expect(EMPTY_RESOURCE.attributes).toEqual({});
    expect(EMPTY_RESOURCE.getRawAttributes()).toEqual([]);
    const other = { attributes: { 'service.name': 's' } } as unknown as OtelResource;
    expect(EMPTY_RESOURCE.merge(other)).toBe(other);
    expect(EMPTY_RESOURCE.merge(null)).toBe(EMPTY_RESOURCE);
  });
});

describe('instrumentName', () => {
  it('is namespace.name unless the metric declares namespace: false', () => {
    expect(instrumentName('app', 'requests', undefined)).toBe('app.requests');
    expect(instrumentName('app', 'requests', {})).toBe('app.requests');
    expect(instrumentName('app', 'requests', { namespace: true } as never)).toBe('app.requests');
    expect(instrumentName('app', 'http.server.request.duration', { namespace: false })).toBe(
      'http.server.request.duration',
    );
  });
});

describe('optionalImport', () => {
  it("names a package missing under CommonJS resolution too (code MODULE_NOT_FOUND), with Node's error as the cause", async () => {
    const missing = Object.assign(new Error("Cannot find module 'x'"), {
      code: 'MODULE_NOT_FOUND',
    });
    const failure = optionalImport(() => Promise.reject(missing), 'pkg-x', 'OTLP grpc');
    await expect(failure).rejects.toBeInstanceOf(MetricsWiringError);
    const error = (await failure.catch((e: unknown) => e)) as MetricsWiringError;
    expect(error.code).toBe('invalid-option');
    expect(error.message).toBe(
      'createOtelPipeline: OTLP grpc needs pkg-x, which is not installed. Run: npm install pkg-x (the version of your OpenTelemetry line).',
    );
    expect(error.cause).toBe(missing);
  });
});

describe('the default clock', () => {
  it('moves forward with performance.now() (epoch-based: the process start plus the time since)', () => {
    const before = defaultEpochClock();
    const start = performance.now();
    while (performance.now() === start) {
      // wait for the next tick of the monotonic clock (microseconds)
    }
    expect(defaultEpochClock()).toBeGreaterThan(before);
    expect(before).toBeGreaterThanOrEqual(performance.timeOrigin);
    expect(hrNow(() => 1_500.25)).toEqual([1, 500_250_000]);
  });
});
