import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { MetricEvent } from '../events/index.js';
import { copyChange, MetricsRecorder } from '../recorder/index.js';
import type { MetricSnapshot } from '../snapshots/index.js';
import { createTestRecorder, pointValue } from '../testing/index.js';
import type { Metric } from './index.js';

class DocumentSaveAttempt extends MetricEvent {
  constructor(readonly outcome: 'success' | 'failure') {
    super();
  }
}

/** The seed's style: one hand-written metric holding total, success and failure. */
class DocumentSaveAttemptMetric implements Metric {
  readonly name = 'document.save.attempts';
  #total = 0;
  #success = 0;
  #failure = 0;

  handleEvent(event: object): boolean {
    if (!(event instanceof DocumentSaveAttempt)) return false;
    this.#total++;
    if (event.outcome === 'success') this.#success++;
    else this.#failure++;
    return true;
  }

  snapshot(): MetricSnapshot {
    return {
      name: this.name,
      kind: 'counter',
      points: [
        { attributes: { outcome: 'total' }, value: this.#total },
        { attributes: { outcome: 'success' }, value: this.#success },
        { attributes: { outcome: 'failure' }, value: this.#failure },
      ],
    };
  }
}

describe('hand-written metrics', () => {
  it('work like built-ins: selected events update state, snapshots expose it', () => {
    const recorder = createTestRecorder([new DocumentSaveAttemptMetric()]);
    recorder.registerEvent(new DocumentSaveAttempt('success'));
    recorder.registerEvent(new DocumentSaveAttempt('success'));
    recorder.registerEvent(new DocumentSaveAttempt('failure'));
    recorder.registerEvent({ type: 'unrelated' });
    expect(pointValue(recorder, 'document.save.attempts', { outcome: 'total' })).toBe(3);
    expect(pointValue(recorder, 'document.save.attempts', { outcome: 'success' })).toBe(2);
    expect(pointValue(recorder, 'document.save.attempts', { outcome: 'failure' })).toBe(1);
    expect(recorder.stats()).toMatchObject({ processed: 4, accepted: 3, ignored: 1 });
  });

  it('fire the post-change hook only when handleEvent returns true', () => {
    const recorder = createTestRecorder([new DocumentSaveAttemptMetric()]);
    const seen: object[] = [];
    recorder.onChange((change) => seen.push(change.event));
    const accepted = new DocumentSaveAttempt('success');
    recorder.registerEvent({ type: 'unrelated' });
    recorder.registerEvent(accepted);
    expect(seen).toEqual([accepted]);
  });

  it('are validated when added: a bad name or a missing method throws at wiring time', () => {
    const recorder = new MetricsRecorder('r', { scheduler: 'sync' });
    expect(() =>
      recorder.addMetric({
        name: 'bad name',
        handleEvent: () => false,
        snapshot: () => ({}) as never,
      }),
    ).toThrow(MetricsWiringError);
    expect(() => recorder.addMetric({ name: 'ok' } as never)).toThrow(MetricsWiringError);
    expect(recorder.getMetrics()).toHaveLength(0);
  });

  it('receive the recorder host through attach() and can report through it', () => {
    const recorder = createTestRecorder([], { name: 'scope-1' });
    let hostName = '';
    recorder.addMetric({
      name: 'custom',
      attach(host) {
        hostName = host.recorderName;
      },
      handleEvent: () => false,
      snapshot: () => ({ name: 'custom', kind: 'custom', points: [] }),
    });
    expect(hostName).toBe('scope-1');
  });
});

describe("a hand-written metric's update.attributes", () => {
  class Handing implements Metric {
    readonly name = 'handing';
    constructor(private readonly attributes: () => object) {}
    handleEvent(event: object, update?: { attributes: unknown; value: unknown }): boolean {
      if (!(event instanceof DocumentSaveAttempt)) return false;
      if (update !== undefined) {
        update.attributes = this.attributes();
        update.value = 1;
      }
      return true;
    }
    snapshot(): MetricSnapshot {
      return { name: this.name, kind: 'counter', points: [] };
    }
  }

  it("reaches change listeners normalised like a built-in metric's: typed values kept, objects as JSON, sorted keys, lone surrogates replaced", () => {
    const recorder = new MetricsRecorder('r', {
      scheduler: 'sync',
      metrics: [new Handing(() => ({ z: 1, a: 'x\uD800', gone: undefined, obj: { n: 1 } }))],
    });
    const seen: unknown[] = [];
    recorder.onChange((change) => seen.push(change.attributes));
    recorder.start();
    recorder.registerEvent(new DocumentSaveAttempt('success'));
    expect(seen).toEqual([{ a: 'x\uFFFD', obj: '{"n":1}', z: 1 }]);
    expect(Object.keys(seen[0] as object)).toEqual(['a', 'obj', 'z']);
  });

  it("that cannot be read (a throwing getter) counts as the metric's failure, reported, with no change fired", () => {
    const errors: string[] = [];
    const recorder = new MetricsRecorder('r', {
      scheduler: 'sync',
      onError: (e) => errors.push(e.code),
      metrics: [
        new Handing(() => ({
          get broken(): string {
            throw new Error('no');
          },
        })),
      ],
    });
    const seen: unknown[] = [];
    recorder.onChange((change) => seen.push(copyChange(change)));
    recorder.start();
    recorder.registerEvent(new DocumentSaveAttempt('success'));
    expect(seen).toEqual([]);
    expect(recorder.stats()).toMatchObject({ processed: 1, failed: 1 });
    expect(errors).toEqual(['metric-failed']);
  });
});
