import { describe, expect, it, vi } from 'vitest';
import { MetricsError, MetricsWiringError } from '../errors/index.js';
import { checkOverflow, checkPositiveInteger, MAX_HANDLE_COUNT } from './buffer-options.js';
import { FlushWaiters } from './flush-waiters.js';
import { ListenerList } from './listener-list.js';
import { OnceReporter } from './once-reporter.js';
import { optionalInteger, optionalString } from './option-checks.js';

// Edges of the folder's small parts that their users' tests leave open.

function thrown(fn: () => unknown): MetricsWiringError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsWiringError);
    return error as MetricsWiringError;
  }
  throw new Error('expected a MetricsWiringError');
}

describe('checkPositiveInteger and checkOverflow', () => {
  it('accepts the bound itself and refuses one above it, naming the bound', () => {
    expect(checkPositiveInteger('Recorder "r"', 'batchSize', 5, 5)).toBe(5);
    const above = thrown(() => checkPositiveInteger('Recorder "r"', 'batchSize', 6, 5));
    expect(above.code).toBe('invalid-option');
    expect(above.message).toBe('Recorder "r": batchSize must be a positive integer <= 5, got 6.');
    expect(checkPositiveInteger('h', 'n', MAX_HANDLE_COUNT, MAX_HANDLE_COUNT)).toBe(
      MAX_HANDLE_COUNT,
    );
    expect(thrown(() => checkPositiveInteger('h', 'n', 2 ** 31, MAX_HANDLE_COUNT)).message).toBe(
      'h: n must be a positive integer below 2^31, got 2147483648.',
    );
    expect(thrown(() => checkPositiveInteger('h', 'n', 0)).message).toBe(
      'h: n must be a positive integer, got 0.',
    );
  });

  it('refuses an unknown overflow policy with the invalid-option code', () => {
    const error = thrown(() => checkOverflow('Recorder "r"', 'drop-all'));
    expect(error.code).toBe('invalid-option');
    expect(error.message).toContain(
      `Recorder "r": overflow must be 'drop-newest' or 'drop-oldest'`,
    );
  });
});

describe('wiring and run-time errors carry a cause only when there is one', () => {
  it('option checks: a wrong value has no cause, a throwing getter has its error', () => {
    const wrong = thrown(() => optionalInteger({ label: 'X' }, { n: 'ten' }, 'n', 1));
    expect(Object.hasOwn(wrong, 'cause')).toBe(false);
    const boom = new Error('boom');
    const getter = thrown(() =>
      optionalString(
        { label: 'X' },
        {
          get s() {
            throw boom;
          },
        },
        's',
      ),
    );
    expect(getter.cause).toBe(boom);
  });

  it('OnceReporter: reports once per key, says which keys it reported, and adds a cause only when given', () => {
    const handler = vi.fn();
    const reporter = new OnceReporter(handler);
    expect(reporter.has('k')).toBe(false);
    reporter.once('k', 'invalid-value', 'first');
    reporter.once('k', 'invalid-value', 'second');
    expect(reporter.has('k')).toBe(true);
    expect(reporter.has('other')).toBe(false);
    expect(handler).toHaveBeenCalledTimes(1);
    const plain = handler.mock.calls[0]?.[0] as MetricsError;
    expect(plain).toBeInstanceOf(MetricsError);
    expect(plain.message).toBe('first');
    expect(Object.hasOwn(plain, 'cause')).toBe(false);
    const cause = new Error('why');
    reporter.once('j', 'invalid-value', 'with cause', cause);
    expect((handler.mock.calls[1]?.[0] as MetricsError | undefined)?.cause).toBe(cause);
  });
});

describe('ListenerList', () => {
  it('refuses a non-function as "listener" unless told what it is, with the invalid-option code', () => {
    const list = new ListenerList<() => void>();
    const plain = thrown(() => list.add(42 as never));
    expect(plain.code).toBe('invalid-option');
    expect(plain.message).toBe('listener must be a function, got 42.');
    expect(thrown(() => list.add('x' as never, 'onChange listener')).message).toBe(
      'onChange listener must be a function, got "x".',
    );
    expect(list.items).toEqual([]);
  });
});

describe('FlushWaiters', () => {
  it('takes new waiters after settleAll, and settles them by their marks', async () => {
    const waiters = new FlushWaiters();
    const early = waiters.wait(5);
    waiters.settleAll();
    await early;
    expect(waiters.size).toBe(0);
    let done = 0;
    const later = waiters.wait(1).then(() => done++);
    const latest = waiters.wait(3).then(() => done++);
    expect(waiters.size).toBe(2);
    waiters.settle(1);
    await later;
    expect(done).toBe(1);
    expect(waiters.size).toBe(1);
    waiters.settle(3);
    await latest;
    expect(waiters.size).toBe(0);
  });
});
