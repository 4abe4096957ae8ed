import { MetricEvent } from '@mvx-metrics/core';

/** How a save ended: stored, refused by validation, or failed in the backend. */
export type SaveOutcome = 'success' | 'invalid' | 'failure';

/** Every outcome, in display order (also the points that exist at zero from the start). */
export const SAVE_OUTCOMES: readonly SaveOutcome[] = ['success', 'invalid', 'failure'];

/** A call to `DocumentStorage.save` finished. */
export class DocumentSaveAttempt extends MetricEvent {
  constructor(
    readonly outcome: SaveOutcome,
    /** Wall time of the attempt, in seconds. */
    readonly seconds: number,
  ) {
    super();
  }
}

/** A document id was looked up; `found` says whether it existed. */
export class DocumentLookup extends MetricEvent {
  constructor(readonly found: boolean) {
    super();
  }
}

/** The number of stored documents changed by `delta` (+1 created, -1 deleted). */
export class DocumentCountChanged extends MetricEvent {
  constructor(readonly delta: 1 | -1) {
    super();
  }
}

/** The storage now holds `bytes` bytes of document content. */
export class StorageUsageMeasured extends MetricEvent {
  constructor(readonly bytes: number) {
    super();
  }
}
