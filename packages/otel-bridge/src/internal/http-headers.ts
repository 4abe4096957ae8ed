// What Node's http client refuses in a request header (`http.validateHeaderName` /
// `validateHeaderValue`): a header it refuses fails every export, so the pipeline refuses it first.

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FORBIDDEN_IN_VALUE = /[^\t\x20-\x7e\x80-\xff]/u;

/** Whether `name` is a valid header name (an HTTP token). */
export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/**
 * What is wrong with a header, without quoting its value (it may be a credential); the name is
 * quoted only when it is a valid token. `undefined` when Node would send it.
 */
export function headerProblem(name: string, value: string): string | undefined {
  if (!isHeaderName(name)) {
    return "a header name is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only; the name is not shown)";
  }
  const bad = FORBIDDEN_IN_VALUE.exec(value);
  if (bad === null) return undefined;
  return `the value of header ${JSON.stringify(name)} contains ${describeChar(bad[0])}, which HTTP forbids in a header (the value is not shown)`;
}

function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code === 0x0d) return 'a carriage return (CR)';
  if (code === 0x0a) return 'a line feed (LF)';
  if (code < 0x20 || code === 0x7f) return `a control character (${hex})`;
  return `a character above U+00FF (${hex})`;
}
