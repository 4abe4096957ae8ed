import type {
  Attributes,
  Metric,
  MetricDescriptor,
  MetricSnapshot,
  MetricUpdate,
  NumberPoint,
} from '@mvx-metrics/core';
import { DocumentSaveAttempt } from '../storage/events.js';

/** The snapshot of {@link DocumentSaveResultsMetric}: counter points plus the three totals by name. */
export interface DocumentSaveResultsSnapshot extends MetricSnapshot<NumberPoint> {
  total: number;
  success: number;
  failure: number;
}

const DESCRIPTION = 'Document save attempts, success or failure (any outcome but success)';
// The points' attributes, shared with every update (an update's attributes are never mutated).
const SUCCESS: Attributes = Object.freeze({ result: 'success' });
const FAILURE: Attributes = Object.freeze({ result: 'failure' });

/**
 * A metric written by hand, in the seed's style: one object keeps total, success and failure
 * counts of save attempts (anything that did not succeed is a failure here). It exports as a
 * counter with a `result` attribute; the total is their sum, so it is not a third point (a
 * `result="total"` series would make every `sum()` count twice).
 *
 * Like the built-ins it declares a `descriptor` (what it is, read without a snapshot) and fills
 * in the `MetricUpdate` it is passed (which point changed, by how much), so the bridge mirrors it
 * on both paths without re-reading its state.
 */
export class DocumentSaveResultsMetric implements Metric<DocumentSaveResultsSnapshot> {
  readonly name = 'document.save.results';
  // Declaring the selector lets the recorder ask this metric about save attempts only.
  readonly descriptor: MetricDescriptor = Object.freeze({
    name: this.name,
    kind: 'counter',
    description: DESCRIPTION,
    selector: DocumentSaveAttempt,
  });
  #total = 0;
  #success = 0;
  #failure = 0;

  handleEvent(event: object, update?: MetricUpdate): boolean {
    if (!(event instanceof DocumentSaveAttempt)) return false;
    this.#total++;
    const success = event.outcome === 'success';
    if (success) this.#success++;
    else this.#failure++;
    if (update !== undefined) {
      update.attributes = success ? SUCCESS : FAILURE;
      update.value = 1;
    }
    return true;
  }

  snapshot(): DocumentSaveResultsSnapshot {
    return {
      name: this.name,
      kind: 'counter',
      description: DESCRIPTION,
      points: [
        { attributes: { result: 'success' }, value: this.#success },
        { attributes: { result: 'failure' }, value: this.#failure },
      ],
      total: this.#total,
      success: this.#success,
      failure: this.#failure,
    };
  }
}
