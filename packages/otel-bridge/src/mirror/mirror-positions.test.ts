// The mirror finds a change's metric by its position in the recorder (the next position, in
// dispatch order, else a lookup that re-reads the recorder's metrics when it gained one). Metrics
// added to a recorder already mirrored, in any order, with collections in between, and events that
// only some metrics accept: the incremental views always equal a conversion from scratch.
import { counter, gauge, histogram, type Metric, upDownCounter } from '@mvx-metrics/core';
import { createTestRecorder } from '@mvx-metrics/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reporter } from '../internal/report.js';
import { adapterFor } from '../kinds/index.js';
import { convertSnapshot } from './convert.js';
import { RecorderMirror } from './recorder-mirror.js';
import type { MirroredMetric } from './types.js';

const KINDS = ['counter', 'upDownCounter', 'gauge', 'histogram'] as const;

function make(kind: (typeof KINDS)[number], name: string, on: string): Metric {
  interface Ev {
    key: string;
    value: number;
  }
  const attributes = (e: Ev) => ({ key: e.key });
  const value = (e: Ev) => e.value;
  switch (kind) {
    case 'counter':
      return counter({ name, on, attributes, value });
    case 'upDownCounter':
      return upDownCounter({ name, on, attributes, value });
    case 'gauge':
      return gauge({ name, on, attributes, value });
    default:
      return histogram({ name, on, attributes, value, buckets: [1, 10] });
  }
}

const step = fc.oneof(
  fc.record({
    op: fc.constant('event' as const),
    type: fc.constantFrom('a', 'b'),
    key: fc.constantFrom('x', 'y', 'toString'),
    value: fc.integer({ min: 0, max: 20 }),
  }),
  fc.record({
    op: fc.constant('add' as const),
    kind: fc.constantFrom(...KINDS),
    type: fc.constantFrom('a', 'b'),
  }),
  fc.constant({ op: 'collect' as const }),
);

describe('the mirror’s position lookup', () => {
  it('keeps every view equal to a conversion from scratch while metrics join a mirrored recorder', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const recorder = createTestRecorder([make('counter', 'm0', 'a')], {
          unhandledEvents: 'ignore',
        });
        const mirror = new RecorderMirror(
          recorder,
          'ns',
          'recorder',
          [1, 0],
          new Reporter(() => {}),
          0,
        );
        recorder.onChange((change) => mirror.logChange(change));
        const collect = () => {
          const views = new Map<string, unknown>();
          mirror.forEach((_entry, view) => {
            views.set(view.instrumentName, view.points);
          }, recorder.stats().failed);
          return views;
        };
        const fromScratch = () => {
          const views = new Map<string, unknown>();
          for (const metric of recorder.getMetrics()) {
            const snapshot = metric.snapshot();
            const view: MirroredMetric = convertSnapshot(snapshot, {
              namespace: 'ns',
              name: metric.name,
              adapter: adapterFor({ name: metric.name, kind: snapshot.kind }),
              unit: snapshot.unit ?? '',
              description: snapshot.description ?? '',
              extraAttributes: mirror.extraAttributes,
              owner: mirror.owner,
              startTime: mirror.startTime,
            }).metric;
            views.set(view.instrumentName, view.points);
          }
          return views;
        };
        for (const s of steps) {
          if (s.op === 'event')
            recorder.registerEvent({ type: s.type, key: s.key, value: s.value });
          else if (s.op === 'add') {
            recorder.addMetric(make(s.kind, `m${recorder.getMetrics().length}`, s.type));
          } else expect(collect()).toEqual(fromScratch());
        }
        expect(collect()).toEqual(fromScratch());
      }),
      { numRuns: 300 },
    );
  });
});
