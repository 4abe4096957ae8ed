// Accept-header negotiation at its edges: ties between formats, the media ranges that count as
// text, OpenMetrics without a version or at its draft version, blanks around ranges, names and
// values, quotes, and parameters without a value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { negotiateExposition, prefersOpenMetrics } from './negotiate.js';

const PROTOBUF =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';
const OPENMETRICS = 'application/openmetrics-text;version=1.0.0';

describe('negotiateExposition: who wins', () => {
  it.each([
    // a tie: protobuf, then OpenMetrics, then text
    [`${PROTOBUF};q=0.5,${OPENMETRICS};q=0.5`, 'protobuf'],
    [`${PROTOBUF};q=0.5,text/plain;q=0.5`, 'protobuf'],
    [`${OPENMETRICS};q=0.5,text/plain;q=0.5`, 'openmetrics'],
    // the higher q wins
    [`${PROTOBUF};q=0.3,text/plain;q=0.5`, 'text'],
    [`${PROTOBUF};q=0.3,${OPENMETRICS};q=0.5`, 'openmetrics'],
    [`${OPENMETRICS};q=0.3,text/plain;q=0.5`, 'text'],
    [`${OPENMETRICS};q=0.3,*/*;q=0.5`, 'text'],
    [`${OPENMETRICS};q=0.3,text/*;q=0.5`, 'text'],
    // ranges that are no text format count for nothing
    [`text/html,${OPENMETRICS};q=0.5`, 'openmetrics'],
    [`application/json,${PROTOBUF};q=0.2`, 'protobuf'],
    // OpenMetrics without a version, or at 0.0.1 (its draft, which Prometheus reads as 1.0.0)
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text;version=0.0.1', 'openmetrics'],
    ['application/openmetrics-text;version=', 'text'],
  ])('%s → %s', (accept, format) => {
    expect(negotiateExposition(accept)).toBe(format);
  });
});

describe('prefersOpenMetrics: ties and text ranges', () => {
  it.each([
    [`${OPENMETRICS};q=0.5,text/plain;q=0.5`, true],
    [`${OPENMETRICS};q=0.3,text/plain;q=0.5`, false],
    [`${OPENMETRICS};q=0.3,*/*;q=0.5`, false],
    [`${OPENMETRICS};q=0.3,text/*;q=0.5`, false],
    [`text/html,${OPENMETRICS};q=0.5`, true],
    ['application/openmetrics-text', true],
    ['application/openmetrics-text;version=0.0.1', true],
  ])('%s → %s', (accept, prefers) => {
    expect(prefersOpenMetrics(accept)).toBe(prefers);
  });
});

describe('negotiateExposition: how a media range is read', () => {
  it('reads ranges with blanks after the commas and around the semicolons', () => {
    expect(negotiateExposition(`text/plain;q=0.5, ${OPENMETRICS}`)).toBe('openmetrics');
    expect(negotiateExposition(`text/plain;q=0.5 , ${PROTOBUF} ; q=0.9`)).toBe('protobuf');
  });

  it('reads parameter names and values with blanks around the `=`', () => {
    expect(negotiateExposition('application/openmetrics-text; version = 2.0.0')).toBe('text');
    expect(negotiateExposition('application/openmetrics-text; version= 1.0.0')).toBe('openmetrics');
    expect(negotiateExposition(`${OPENMETRICS}; q =0.1, text/plain;q=0.5`)).toBe('text');
  });

  it('takes off only the quotes around a whole value', () => {
    expect(negotiateExposition('application/openmetrics-text;version="1.0.0"')).toBe('openmetrics');
    expect(negotiateExposition('application/openmetrics-text;version=1.0."0')).toBe('text');
    expect(negotiateExposition('application/openmetrics-text;version=1"."0.0')).toBe('text');
    expect(negotiateExposition('application/openmetrics-text;version="1.0.0')).toBe('openmetrics');
  });

  it('ignores a parameter without a value, whatever it spells (property)', () => {
    const accepts = fc.constantFrom(
      `${PROTOBUF};q=0.7,${OPENMETRICS};q=0.5,text/plain;q=0.3`,
      `${OPENMETRICS};q=0.5,text/plain;q=0.3`,
      `${PROTOBUF};q=0.3,text/plain;q=0.5`,
      `${OPENMETRICS};q=0.3,*/*;q=0.4`,
    );
    // a bare token (no `=`, `,` or `;`), e.g. `qq` or `encodingx`, which must not be read as `q`
    // or `encoding` with some value
    const token = fc.oneof(
      fc.constantFrom('qq', 'q0', 'encodingx', 'versionx', 'protox', 'charset'),
      fc.stringMatching(/^[a-z0-9.]{1,12}$/),
    );
    fc.assert(
      fc.property(accepts, token, fc.nat(), (accept, bare, at) => {
        const ranges = accept.split(',');
        const i = at % ranges.length;
        ranges[i] = `${ranges[i]};${bare}`;
        expect(negotiateExposition(ranges.join(','))).toBe(negotiateExposition(accept));
      }),
    );
  });
});
