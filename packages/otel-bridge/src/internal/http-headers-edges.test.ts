// Header checks against Node's own (`http.validateHeaderName` / `validateHeaderValue`): a header
// the pipeline takes is one Node sends, and one it refuses Node would refuse, whatever its
// characters; and the words naming the first bad character. StrykerJS survivors of internal/
// (docs/reliability.md).
import { validateHeaderName, validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerProblem, isHeaderName } from './http-headers.js';

const nodeTakesName = (name: string) => {
  try {
    validateHeaderName(name);
    return true;
  } catch {
    return false;
  }
};
const nodeTakesValue = (value: string) => {
  try {
    validateHeaderValue('x-ok', value);
    return true;
  } catch {
    return false;
  }
};

// Characters around every boundary Node draws: controls, tab, space, DEL, Latin-1, beyond.
const char = fc.oneof(
  fc.integer({ min: 0, max: 0x17f }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('a', 'Z', '0', '-', '!', '~', '`', '|', ' ', '\t', ':', '"', '(', '\u{1f600}'),
);
const text = fc.string({ unit: char, maxLength: 12 });

describe('isHeaderName and headerProblem', () => {
  it('take a name exactly when Node does', () => {
    fc.assert(
      fc.property(text, (name) => {
        expect(isHeaderName(name)).toBe(nodeTakesName(name));
      }),
      { numRuns: 3_000 },
    );
  });

  it('find a problem with a value exactly when Node refuses it', () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(headerProblem('x-ok', value) === undefined).toBe(nodeTakesValue(value));
      }),
      { numRuns: 3_000 },
    );
  });

  it('a bad name is named without quoting it, whatever the value', () => {
    for (const name of ['a b', '', 'x:y', 'é']) {
      expect(headerProblem(name, 'fine')).toBe(
        "a header name is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only; the name is not shown)",
      );
    }
  });

  it.each([
    ['a\rb', 'a carriage return (CR)'],
    ['a\nb', 'a line feed (LF)'],
    ['\u0000', 'a control character (U+0000)'],
    ['a\u001fb', 'a control character (U+001F)'],
    ['\u007f', 'a control character (U+007F)'],
    ['\u0100', 'a character above U+00FF (U+0100)'],
    ['ok \u{1f600}', 'a character above U+00FF (U+1F600)'],
    ['é\u00ff then \u01ab', 'a character above U+00FF (U+01AB)'],
  ])('names the first bad character of %j as %s, never the value', (value, words) => {
    expect(headerProblem('Authorization', value)).toBe(
      `the value of header "Authorization" contains ${words}, which HTTP forbids in a header (the value is not shown)`,
    );
  });
});
