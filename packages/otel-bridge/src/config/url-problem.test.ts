import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { urlProblem } from './environment.js';

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const word = fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 1, maxLength: 8 });
// What a URL may not hold raw: whitespace (any, Unicode too), control characters, brackets in
// the user info. The URL parser percent-encodes them instead of refusing the URL.
const rawOnly = fc.constantFrom(' ', '\t', '\u00a0', '\u2028', '\u0001', '\u007f', '[', ']');

describe('urlProblem', () => {
  it('accepts http(s) URLs, with percent-encoded credentials, a path, a query, spaces around', () => {
    for (const url of [
      'http://localhost:4318',
      'https://collector.example:4318/v1/metrics?x=1#f',
      'http://user:p%20a%5Bss@127.0.0.1:4318/',
      '  http://[::1]:4318/  ',
      'HTTP://USER:PASS@HOST:1/',
    ]) {
      expect(urlProblem(url), url).toBeUndefined();
    }
  });

  it('names what is wrong without quoting the value', () => {
    expect(urlProblem('127.0.0.1:4318')).toMatch(/does not start with http/);
    expect(urlProblem('localhost:4318')).toBe('its scheme is not http: or https:');
    expect(urlProblem('http://[::1:4318')).toBe('it does not parse as a URL');
    expect(urlProblem('ftp://user:pw@h/')).toBe('its scheme is not http: or https:');
  });

  it('refuses a value the URL parser would percent-encode: a raw space, control character or bracket in the credentials', () => {
    fc.assert(
      fc.property(word, word, rawOnly, word, fc.boolean(), (user, left, odd, right, https) => {
        const secret = `${left}${odd}${right}`;
        const raw = `http${https ? 's' : ''}://${user}:${secret}@127.0.0.1:4318/`;
        const encoded = `http${https ? 's' : ''}://${user}:${encodeURIComponent(secret)}@127.0.0.1:4318/`;
        // The parser itself takes the raw form: this is the family the check exists for.
        expect(URL.canParse(raw)).toBe(true);
        const problem = urlProblem(raw);
        expect(problem).toBeDefined();
        expect(problem).not.toContain(secret);
        expect(urlProblem(encoded)).toBeUndefined();
      }),
    );
  });
});
