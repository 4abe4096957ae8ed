// A metric definition with a mistake throws at definition time (a MetricsWiringError with code
// invalid-metric-options naming the metric and the option), never on the first event; the
// boundary of each accepted range is accepted.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import { createTestRecorder } from '../testing/index.js';
import { counter, exponentialHistogram, gauge, histogram, upDownCounter } from './index.js';

/** The wiring error `define` throws; fails when it returns. */
function refusal(define: () => unknown): MetricsWiringError {
  try {
    define();
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsWiringError);
    expect((error as MetricsWiringError).code).toBe('invalid-metric-options');
    return error as MetricsWiringError;
  }
  throw new Error('expected a MetricsWiringError');
}

const factories = { counter, upDownCounter, gauge, histogram, exponentialHistogram } as const;
const valued = (e: { n: number }) => e.n;

describe('metric options', () => {
  it.each(Object.keys(factories))('%s: options that are not an object are refused', (factory) => {
    const define = factories[factory as keyof typeof factories] as (options: unknown) => unknown;
    for (const options of [null, undefined, 5, 'name', true]) {
      expect(refusal(() => define(options)).message).toBe(
        'Metric options must be an object with at least `name` and `on`.',
      );
    }
  });

  it('`on` must be a class, a type string or a predicate', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((on) => typeof on !== 'string' && typeof on !== 'function'),
        (on) => {
          expect(refusal(() => counter({ name: 'jobs', on: on as string })).message).toBe(
            `Metric "jobs" needs \`on\`: an event class, a type string or a predicate, got ${describeValue(on)}.`,
          );
        },
      ),
    );
  });

  it('gauges and histograms need `value`; counters do not', () => {
    for (const define of [gauge, histogram, exponentialHistogram]) {
      expect(refusal(() => define({ name: 'load', on: 'tick' } as never)).message).toBe(
        'Metric "load" needs `value: (event) => number`.',
      );
    }
    expect(() => counter({ name: 'ticks', on: 'tick' })).not.toThrow();
    expect(() => upDownCounter({ name: 'open', on: 'tick' })).not.toThrow();
    expect(refusal(() => counter({ name: 'ticks', on: 'tick', value: 3 as never })).message).toBe(
      'Metric "ticks": option `value` must be a function, got 3.',
    );
  });

  it('cardinalityLimit: an integer of at least 2 (2 works), anything else refused', () => {
    const recorder = createTestRecorder([
      counter({
        name: 'users',
        on: 'login',
        attributes: (e: { user: string }) => ({ user: e.user }),
        cardinalityLimit: 2,
      }),
    ]);
    for (const user of ['a', 'b', 'c']) recorder.registerEvent({ type: 'login', user });
    expect(recorder.getMetricSnapshots()[0]?.points).toEqual([
      { attributes: { user: 'a' }, value: 1 },
      { attributes: { 'otel.metric.overflow': true }, value: 2 },
    ]);
    for (const limit of [1, 0, -3, 2.5, Number.NaN, Infinity, '10', null]) {
      expect(
        refusal(() => counter({ name: 'users', on: 'login', cardinalityLimit: limit as number }))
          .message,
      ).toBe(
        `Metric "users": cardinalityLimit must be an integer >= 2, got ${describeValue(limit)}.`,
      );
    }
  });

  it('namespace: false or absent, anything else refused', () => {
    expect(() => counter({ name: 'http.requests', on: 'r', namespace: false })).not.toThrow();
    for (const namespace of [true, 'app', 0, null]) {
      expect(
        refusal(() => counter({ name: 'http.requests', on: 'r', namespace: namespace as false }))
          .message,
      ).toBe(
        `Metric "http.requests": namespace must be false (the name is the full OpenTelemetry name, exported without the runtime's namespace) or absent, got ${describeValue(namespace)}.`,
      );
    }
  });

  it('initial: an array of attribute objects; the first bad entry is named by its index', () => {
    expect(() =>
      histogram({ name: 'took', on: 't', value: valued, initial: [{}, { route: '/' }] }),
    ).not.toThrow();
    for (const [entry, at] of [
      [null, 0],
      [5, 1],
      [['route'], 1],
      ['route', 0],
    ] as const) {
      const initial = at === 0 ? [entry] : [{}, entry];
      expect(
        refusal(() => counter({ name: 'hits', on: 'hit', initial: initial as never })).message,
      ).toBe(
        `Metric "hits": option \`initial\` must be an array of attribute objects, got ${describeValue(entry)} at index ${at}.`,
      );
    }
    expect(refusal(() => counter({ name: 'hits', on: 'hit', initial: {} as never })).message).toBe(
      'Metric "hits": option `initial` must be an array, got an object.',
    );
  });
});
