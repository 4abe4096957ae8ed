import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OtelBridgeError } from '../errors/otel-bridge-error.js';
import {
  findScheme,
  headerListSecrets,
  Redactor,
  redactUrls,
  redactWord,
  urlSecrets,
} from './redact.js';

// Any printable character but whitespace, in a secret placed raw into a URL.
const secretChar = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
const secretArb = fc
  .tuple(fc.string({ unit: secretChar, minLength: 8, maxLength: 24 }), fc.nat(1_000_000))
  .map(([text, n]) => `K${n}${text}`);
const schemeArb = fc.constantFrom('http', 'https', 'grpc', 'ftp', 'htp', 'unix', 'HTTP', 'x+y.z-1');
const hostArb = fc.constantFrom('127.0.0.1:4318', 'collector', '[::1]:4317', 'ho.st', '');

describe('redactUrls', () => {
  it('hides userinfo and query of any URL in free text, whatever characters the password has', () => {
    fc.assert(
      fc.property(
        schemeArb,
        fc.option(fc.constantFrom('user', 'u', '')),
        secretArb,
        hostArb,
        fc.option(secretArb),
        fc.constantFrom('', "'", '"', '(', 'URL: '),
        (scheme, user, secret, host, query, quote) => {
          const userinfo = user === null ? secret : `${user}:${secret}`;
          const url = `${scheme}://${userinfo}@${host}/v1/metrics${query === null ? '' : `?t=${query}`}`;
          const text = `failed to export to ${quote}${url}${quote === '(' ? ')' : quote}: 400`;
          const out = redactUrls(text);
          expect(out).not.toContain(secret);
          if (query !== null) expect(out).not.toContain(query);
          // all of the userinfo, to its last "@", whatever "@" the password itself holds (a raw
          // "?" or "#" in it, or an "@" in the query, may hide the host too: the safe side)
          if (!/[?#]/.test(secret) && !(query ?? '').includes('@')) {
            expect(out).toContain(`://***@${host}/v1/metrics`);
          }
          expect(out).toContain('failed to export to');
          expect(redactUrls(out)).toBe(out); // already redacted text is left as it is
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('leaves text without a URL as it is', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!/[a-z][a-z0-9+.-]*:\/\//i.test(text));
        expect(redactUrls(text)).toBe(text);
      }),
    );
  });
});

describe('Redactor', () => {
  it('hides known secrets raw, JSON-escaped and percent-encoded, and malformed endpoints whole', () => {
    fc.assert(
      fc.property(
        secretArb,
        fc.constantFrom(
          (s: string) => `user:${s}@collector:4318`,
          (s: string) => `${s}@collector`,
          (s: string) => `http//user:${s}@collector`,
          (s: string) => `http://user:${s}@ho st`,
          (s: string) => `http://collector/?k=${s}`,
        ),
        fc.constantFrom(
          (v: string) => v,
          (v: string) => JSON.stringify({ url: v }),
          (v: string) => encodeURIComponent(v),
          (v: string) => `connect to '${v}' failed`,
        ),
        (secret, endpoint, quoted) => {
          const value = endpoint(secret);
          const redactor = new Redactor(urlSecrets(value));
          const out = redactor.text(`export failed: ${quoted(value)}`);
          expect(out).not.toContain(secret);
          expect(out).not.toContain(JSON.stringify(secret).slice(1, -1));
          expect(out).not.toContain(encodeURIComponent(secret));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('hides every value of a header list, whatever shape its entries have', () => {
    fc.assert(
      fc.property(
        secretArb.filter((s) => !s.includes(',')),
        fc.constantFrom(
          (s: string) => `api-key=${s}`,
          (s: string) => s,
          (s: string) => `Authorization: Bearer ${s}`,
          (s: string) => `Authorization: Bearer ${s} trailing`,
          (s: string) => `X-Token:${s}`,
          (s: string) => `=${s}`,
          (s: string) => `k=${encodeURIComponent(s)}`,
        ),
        (secret, entry) => {
          // a bare `name=value` is a header whose name is no secret
          fc.pre(entry('') !== '' || !secret.includes('='));
          const redactor = new Redactor(headerListSecrets(`x-ok=1,${entry(secret)}`));
          expect(redactor.text(`rejected: ${JSON.stringify({ h: secret })}`)).not.toContain(secret);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('hides a token whose pieces are short, in an entry written as a header line', () => {
    // found by the property above (seed 683995572): `:` split the token into pieces too short to hide
    for (const token of ['K0:!!!:!!!', 'a:b:c:d:e', 'ab cd:ef']) {
      const redactor = new Redactor(headerListSecrets(`x-ok=1,Authorization: Bearer ${token}`));
      for (const shown of token.split(' ')) {
        expect(redactor.text(`rejected: ${JSON.stringify({ h: token })}`)).not.toContain(shown);
      }
    }
  });

  it('copies an error that shows a secret anywhere (message, stack, cause chain, any property), keeping its class and code', () => {
    const secret = 'K123-very-secret-value';
    const redactor = new Redactor([secret]);
    const cause = Object.assign(new Error(`collector said ${secret}`), { data: { body: secret } });
    const error = new OtelBridgeError('export-failed', 'export failed', { cause });
    Object.defineProperty(error, 'hidden', { value: secret, enumerable: false });
    const out = redactor.error(error);
    expect(out).not.toBe(error);
    expect(out).toBeInstanceOf(OtelBridgeError);
    expect(out.code).toBe('export-failed');
    expect(out.message).toBe('export failed');
    const printed = inspect(out, { depth: 10, showHidden: true });
    expect(printed).not.toContain(secret);
    expect(printed).toContain('collector said ***');
    expect(String((out.cause as Error).stack)).not.toContain(secret);
    // the original is untouched
    expect((error.cause as Error).message).toContain(secret);
  });

  it('returns a clean error itself, and survives cycles and unreadable values', () => {
    const redactor = new Redactor(['K123-very-secret-value']);
    const clean = new Error('connect ECONNREFUSED 127.0.0.1:4318');
    expect(redactor.error(clean)).toBe(clean);
    const looped = new Error('K123-very-secret-value') as Error & { self?: unknown };
    looped.self = looped;
    const copy = redactor.error(looped);
    expect(copy.message).toBe('***');
    expect(copy.self).toBe(copy);
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    expect(redactor.error(revocable.proxy)).toBe(revocable.proxy);
    // an error caused by something unreadable keeps its class when nothing in it leaks
    const wiring = new OtelBridgeError('invalid-option', 'reading `x` threw', {
      cause: revocable.proxy,
    });
    expect(redactor.error(wiring)).toBe(wiring);
    const leaking = new OtelBridgeError('export-failed', 'K123-very-secret-value', {
      cause: revocable.proxy,
    });
    expect(redactor.error(leaking)).toBeInstanceOf(OtelBridgeError);
    expect(redactor.error(leaking).message).toBe('***');
  });
});

describe('finding a URL scheme', () => {
  const SCHEME_REGEX = /[a-z][a-z0-9+.-]*:\/\//i;

  it('finds the first scheme exactly where the regular expression it replaces does', () => {
    const alphabet = fc.constantFrom('a', 'Z', '1', '+', '.', '-', ':', '/', '@', '?', 'é', ' ');
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 40 }), (word) => {
        const m = SCHEME_REGEX.exec(word);
        expect(findScheme(word)).toEqual(
          m === null ? null : { index: m.index, end: m.index + m[0].length },
        );
        if (m === null) expect(redactWord(word)).toBe(word);
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads a 1 MB message without `://` in one pass (the regular expression backtracked for minutes)', () => {
    const long = 'x'.repeat(1_000_000);
    expect(redactUrls(long)).toBe(long);
    expect(redactUrls(`${long}://user:pw@host/?q=1`)).toBe(`${long}://***@host/?***`);
  });
});
