// The redaction net at its edges: which known values count as secrets (4 characters and up,
// strings only, a lone surrogate too), the longest hidden first, URLs whose userinfo or query hold
// `@`, `?` or `#`, a `file:` path with an `@scope`; and the copy of an error that shows a secret:
// same descriptors, arrays as arrays, getters read, values with internal slots kept as they are,
// and what lies deeper than 8 levels dropped. StrykerJS survivors of internal/
// (docs/reliability.md).
import { describe, expect, it } from 'vitest';
import {
  findScheme,
  headerListSecrets,
  REDACTED,
  Redactor,
  redactUrls,
  redactWord,
  urlSecrets,
} from './redact.js';

const SECRET = 'K123-very-secret-value';

describe('Redactor: what is a secret', () => {
  it('hides a known value of 4 characters or more, never a shorter one', () => {
    expect(new Redactor(['abcd']).text('x abcd y')).toBe('x *** y');
    expect(new Redactor(['abc']).text('x abc y')).toBe('x abc y');
  });

  it('takes strings only: a number among the secrets hides nothing', () => {
    expect(new Redactor([12_345 as never, 'abcd']).text('12345 abcd')).toBe('12345 ***');
  });

  it('hides a secret that contains another whole, whatever order they were given in', () => {
    for (const secrets of [
      ['abcd', 'abcdefgh', 'efgh'],
      ['efgh', 'abcdefgh', 'abcd'],
      ['abcdefgh', 'abcd', 'efgh'],
    ]) {
      expect(new Redactor(secrets).text('<abcdefgh>')).toBe('<***>');
    }
  });

  it('hides a secret with a lone surrogate (no percent-encoded form), and nothing else', () => {
    const odd = 'ab\uD800cd';
    expect(new Redactor([odd]).text(`x ${odd} undefined`)).toBe('x *** undefined');
  });
});

describe('findScheme', () => {
  it('starts a scheme at its first letter, never at a digit or sign before it', () => {
    expect(findScheme('9+http://h')).toEqual({ index: 2, end: 9 });
    expect(findScheme('x 1-2://h')).toBeNull();
    expect(redactWord('9+http://u:pw@h')).toBe('9+http://***@h');
  });
});

describe('redactWord: URL credentials and queries', () => {
  it.each([
    ['http://u:pw@host/p?q=a@b', 'http://***@host/p?***'],
    ['http://u:p?w@host/x', 'http://***@host/x'],
    ['http://u@h@host/x', 'http://***@host/x'],
    ['http://host/p#frag', 'http://host/p?***'],
    ['http://host/p?a=1#frag', 'http://host/p?***'],
    ['grpc://a@b', 'grpc://***@b'],
    ['see:http://host/ok', 'see:http://host/ok'],
    ['http://@pw@host/x', 'http://***@host/x'],
    ['http://@?pw@host/x', 'http://***@?***'],
    ['file:///app/node_modules/@scope/pkg/x.js', 'file:///app/node_modules/@scope/pkg/x.js'],
    ['file:///app/@scope/x.js?v=1', 'file:///app/@scope/x.js?***'],
  ])('%s → %s', (word, out) => {
    expect(redactWord(word)).toBe(out);
    expect(redactUrls(`at ${word} (1)`)).toBe(`at ${out} (1)`);
  });
});

describe('urlSecrets and headerListSecrets', () => {
  it('an http(s) endpoint: its userinfo, parts, query and fragment raw and decoded, Basic credentials; not the whole URL', () => {
    const text = 'http://user:pa%20ss@host:4318/v1?token=abc#frag';
    const secrets = urlSecrets(text);
    expect(secrets).toEqual(
      expect.arrayContaining([
        'user:pa%20ss',
        'user',
        'pa%20ss',
        'pa ss',
        'token=abc',
        'frag',
        Buffer.from('user:pa ss').toString('base64'),
      ]),
    );
    expect(secrets).not.toContain(text);
    expect(secrets).not.toContain('host:4318');
    expect(secrets.every((s) => typeof s === 'string')).toBe(true);
  });

  it('an endpoint that is no http(s) URL is secret whole (raw and trimmed), with its pieces', () => {
    const secrets = urlSecrets(' user:secret@collector:4318/x?k=v ');
    expect(secrets).toEqual(
      expect.arrayContaining([
        ' user:secret@collector:4318/x?k=v ',
        'user:secret@collector:4318/x?k=v',
        ' user:secret',
        'secret',
        'k=v ',
      ]),
    );
    expect(urlSecrets('grpc://u:pw@h:4317')).toEqual(
      expect.arrayContaining(['grpc://u:pw@h:4317', 'pw']),
    );
  });

  it('a text that no decoding takes is kept as it is, never undefined', () => {
    const secrets = urlSecrets('http://u:%E0%A4%A@host/?q=%ZZ');
    expect(secrets).toEqual(expect.arrayContaining(['%E0%A4%A', 'q=%ZZ']));
    expect(secrets.every((s) => typeof s === 'string')).toBe(true);
    const headers = headerListSecrets('k=%E0%A4%A;p');
    expect(headers).toEqual(expect.arrayContaining(['%E0%A4%A;p', '%E0%A4%A']));
    expect(headers.every((s) => typeof s === 'string')).toBe(true);
  });

  it('a header entry: its value raw, decoded and up to its first ";"; a malformed one whole and by pieces', () => {
    const secrets = headerListSecrets('api-key=s%20ecret;p=1, Authorization: Bearer tok:en x');
    expect(secrets).toEqual(
      expect.arrayContaining([
        's%20ecret;p=1',
        's ecret;p=1',
        's%20ecret',
        's ecret',
        'Authorization: Bearer tok:en x',
        'Bearer tok:en x',
        'tok:en x',
        'en x',
        'tok:en',
        'tok',
      ]),
    );
    expect(secrets).not.toContain('api-key');
  });
});

/** What a Redactor keeps of a list of secrets: the distinct ones of 4 characters and more. */
const kept = (secrets: readonly string[]) =>
  [...new Set(secrets.filter((secret) => secret.length >= 4))].sort();

describe('the secrets of an endpoint or a header list, exactly', () => {
  it.each([
    ['http://collector:4318/v1?key=val', ['key=val']],
    ['https://user:pass@host/x', ['dXNlcjpwYXNz', 'pass', 'user', 'user:pass']],
    ['http://user@host/x', ['dXNlcjo=', 'user']],
    ['http://:pass@host/', [':pass', 'OnBhc3M=', 'pass']],
    ['http://host/?@secretvalue', ['@secretvalue']],
    ['h?secretvalue', ['h?secretvalue', 'secretvalue']],
    [
      'http://usr:pa%20ss@host:4318/v1?token=abcd#fragment',
      [
        'dXNyOnBhIHNz',
        'fragment',
        'pa ss',
        'pa%20ss',
        'token=abcd',
        'token=abcd#fragment',
        'usr:pa%20ss',
      ],
    ],
  ])('urlSecrets(%j)', (endpoint, secrets) => {
    expect(kept(urlSecrets(endpoint))).toEqual(secrets);
  });

  it.each([
    [
      ' api-key = s%20ecret ;p=1 ,x-b=plainvalue',
      ['plainvalue', 's ecret', 's ecret ;p=1', 's%20ecret', 's%20ecret ;p=1'],
    ],
    [
      'Authorization: Bearer  tok:en xyzw',
      [
        'Authorization',
        'Authorization:',
        'Authorization: Bearer  tok:en xyzw',
        'Bearer',
        'Bearer  tok:en xyzw',
        'en xyzw',
        'tok:en',
        'tok:en xyzw',
        'xyzw',
      ],
    ],
    ['bad name=value1234', ['bad name', 'bad name=value1234', 'name=value1234', 'value1234']],
    ['=justvalue', ['=justvalue', 'justvalue']],
    ['X-Token:abcdefg ,key=v', ['X-Token', 'X-Token:abcdefg', 'X-Token:abcdefg ', 'abcdefg']],
  ])('headerListSecrets(%j)', (list, secrets) => {
    expect(kept(headerListSecrets(list))).toEqual(secrets);
  });

  it('hides a secret as JSON escapes it inside a longer string (a collector echoing a body)', () => {
    expect(new Redactor(['a"bcd']).text(JSON.stringify({ msg: 'x a"bcd y' }))).toBe(
      '{"msg":"x *** y"}',
    );
  });
});

describe('Redactor.error: the copy', () => {
  it('copies an object whose property descriptors cannot be read by reading the values, enumerable', () => {
    const redactor = new Redactor([SECRET]);
    const cause = new Proxy(
      { note: 'x' },
      {
        getOwnPropertyDescriptor() {
          throw new Error('trap');
        },
      },
    );
    const copy = redactor.error(new Error(SECRET, { cause }));
    expect(copy.message).toBe(REDACTED);
    expect(copy.cause).toEqual({ note: 'x' });
    expect(Object.keys(copy.cause as object)).toEqual(['note']);
  });

  it('copies an empty array as an empty array', () => {
    const redactor = new Redactor([SECRET]);
    const copy = redactor.error(Object.assign(new Error(SECRET), { list: [] as string[] }));
    expect(copy.list).toEqual([]);
    expect(copy.list).toHaveLength(0);
  });

  it('keeps every own property of the original, as a data property with its enumerability', () => {
    const redactor = new Redactor([SECRET]);
    const error = Object.assign(new Error(`said ${SECRET}`), { extra: 'clean' });
    const copy = redactor.error(error);
    for (const key of Object.getOwnPropertyNames(error)) {
      const original = Object.getOwnPropertyDescriptor(error, key);
      // `stack` is a data property on Node 20 and an accessor on Node 22 and 24: the copy holds
      // the value read (redacted), never the original's getter, which would read the original.
      expect(Object.getOwnPropertyDescriptor(copy, key), key).toEqual({
        value: expect.anything(),
        writable: true,
        enumerable: original?.enumerable,
        configurable: true,
      });
    }
    expect(copy.stack).toContain(`said ${REDACTED}`);
    expect(copy.stack).not.toContain(SECRET);
    expect(copy.message).toBe(`said ${REDACTED}`);
    expect(copy.extra).toBe('clean');
  });

  it('copies arrays as arrays, and reads getters', () => {
    const redactor = new Redactor([SECRET]);
    const error = Object.assign(new Error('failed'), { list: ['a', `b ${SECRET}`] });
    Object.defineProperty(error, 'computed', { get: () => `c ${SECRET}`, enumerable: true });
    const copy = redactor.error(error) as typeof error & { computed: string };
    expect(copy).not.toBe(error);
    expect(Array.isArray(copy.list)).toBe(true);
    expect(copy.list).toEqual(['a', 'b ***']);
    expect(copy.computed).toBe('c ***');
  });

  it('keeps values with internal slots as they are (maps, sets, dates, buffers, ...)', () => {
    const redactor = new Redactor([SECRET]);
    const slots = {
      map: new Map([['k', 1]]),
      set: new Set([1]),
      weakMap: new WeakMap(),
      weakSet: new WeakSet(),
      date: new Date(0),
      regexp: /x/g,
      promise: Promise.resolve(1),
      buffer: new ArrayBuffer(4),
      view: new Uint8Array(2),
      dataView: new DataView(new ArrayBuffer(1)),
    };
    const error = Object.assign(new Error(SECRET), slots);
    const copy = redactor.error(error) as Error & typeof slots;
    expect(copy.message).toBe(REDACTED);
    for (const [key, value] of Object.entries(slots)) {
      expect(copy[key as keyof typeof slots], key).toBe(value);
    }
  });

  it('copies 8 levels below the error and drops what lies deeper, even from a clean error', () => {
    const redactor = new Redactor([SECRET]);
    type Level = { level: number; text: string; next?: Level };
    const chain = (depth: number): Error & { next?: Level } => {
      const root: Error & { next?: Level } = new Error('clean');
      let at: { next?: Level } = root;
      for (let level = 1; level <= depth; level++) {
        const next: Level = { level, text: `level ${level}` };
        at.next = next;
        at = next;
      }
      return root;
    };
    const deep = chain(10);
    const copy = redactor.error(deep);
    expect(copy).not.toBe(deep);
    let at: Level | undefined = copy.next;
    for (let level = 1; level <= 8; level++) {
      expect(at?.level).toBe(level);
      expect(at?.text).toBe(`level ${level}`);
      at = at?.next;
    }
    expect(at).toBeUndefined();
    // a chain that fits is no reason for a copy
    const fits = chain(8);
    expect(redactor.error(fits)).toBe(fits);
  });
});
