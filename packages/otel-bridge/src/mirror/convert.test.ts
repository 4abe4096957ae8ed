import type { MetricSnapshot } from '@mvx-metrics/core';
import { describe, expect, it } from 'vitest';
import type { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { Reporter } from '../internal/report.js';
import { adapterFor } from '../kinds/index.js';
import { type ConvertTarget, convertSnapshot as convert } from './convert.js';

const target = {
  namespace: 'ns',
  name: 'm',
  extraAttributes: { recorder: 'r' },
  owner: { key: 'recorder', value: 'r' },
  startTime: [1, 0] as [number, number],
};

/** Converts as the mirror does: the adapter of the snapshot's kind, unit and description from it. */
function convertSnapshot(
  snapshot: MetricSnapshot,
  to: Omit<ConvertTarget, 'adapter' | 'unit' | 'description'>,
  reporter?: Reporter,
) {
  return convert(snapshot, {
    ...to,
    adapter: adapterFor({ name: `${to.namespace}.${to.name}`, kind: snapshot.kind }, reporter),
    unit: snapshot.unit ?? '',
    description: snapshot.description ?? '',
  });
}

describe('convertSnapshot', () => {
  it('exports unknown kinds as gauges, and reports the unknown kind once', () => {
    const reported: OtelBridgeError[] = [];
    const reporter = new Reporter((error) => reported.push(error as OtelBridgeError));
    const ratio = { name: 'm', kind: 'ratio', points: [{ attributes: {}, value: 0.5 }] };
    const { metric } = convertSnapshot(ratio, target, reporter);
    convertSnapshot(ratio, target, reporter);
    expect(metric).toMatchObject({ instrumentName: 'ns.m', unit: '', description: '' });
    expect(metric.adapter.kind).toBe('gauge');
    expect(metric.points).toEqual([{ attributes: { recorder: 'r' }, value: 0.5 }]);
    expect(reported.map((e) => [e.name, e.code])).toEqual([['OtelBridgeError', 'unknown-kind']]);
    expect(reported[0]?.message).toMatch(/"ns\.m" declares the kind "ratio".*exported as a gauge/);
  });

  it('skips and counts malformed points of hand-written metrics', () => {
    const converted = convertSnapshot(
      {
        name: 'm',
        kind: 'counter',
        points: [
          { attributes: { a: 'x' }, value: Number.NaN },
          { attributes: {}, value: 2 },
          null as never,
        ],
      },
      target,
    );
    expect(converted.skipped).toBe(2);
    expect(converted.metric.points).toEqual([{ attributes: { recorder: 'r' }, value: 2 }]);
  });

  it('leaves min and max out of an empty histogram point and keeps buckets exact', () => {
    const point = {
      attributes: { k: 'v' },
      count: 0,
      sum: 0,
      min: 0,
      max: 0,
      boundaries: [1, 2],
      bucketCounts: [0, 0, 0],
    };
    const { metric } = convertSnapshot(
      { name: 'm', kind: 'histogram', unit: 's', points: [point] },
      target,
    );
    expect(metric.points[0]?.value).toEqual({
      buckets: { boundaries: [1, 2], counts: [0, 0, 0] },
      count: 0,
      sum: 0,
    });
    const full = { ...point, count: 2, sum: 3.5, min: 1, max: 2.5, bucketCounts: [1, 0, 1] };
    expect(
      convertSnapshot({ name: 'm', kind: 'histogram', points: [full] }, target).metric.points[0]
        ?.value,
    ).toEqual({
      buckets: { boundaries: [1, 2], counts: [1, 0, 1] },
      count: 2,
      sum: 3.5,
      min: 1,
      max: 2.5,
    });
  });

  it('lets the recorder attribute win over a point attribute of the same name', () => {
    const { metric } = convertSnapshot(
      {
        name: 'm',
        kind: 'gauge',
        points: [{ attributes: { recorder: 'mine', x: '1' }, value: 1 }],
      },
      target,
    );
    expect(metric.points[0]?.attributes).toEqual({ recorder: 'r', x: '1' });
  });

  it('counts the points whose own attribute the recorder attribute overwrites', () => {
    const snapshot = {
      name: 'm',
      kind: 'counter',
      points: [
        { attributes: { recorder: 'a' }, value: 1 },
        { attributes: { recorder: 'b' }, value: 2 },
        { attributes: { other: 'c' }, value: 3 },
      ],
    };
    const converted = convertSnapshot(snapshot, target);
    expect(converted.shadowed).toBe(2);
    expect(converted.metric.overlapping).toBe(true);
    expect(converted.metric.owner).toEqual({ key: 'recorder', value: 'r' });
    const off = convertSnapshot(snapshot, { ...target, extraAttributes: {}, owner: undefined });
    expect(off.shadowed).toBe(0);
    expect(off.metric.overlapping).toBe(false);
    expect(off.metric.points[0]?.attributes).toEqual({ recorder: 'a' });
  });
});
