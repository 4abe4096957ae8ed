import { bucketIndex } from '@mvx-metrics/core';
import type { BridgeExemplar } from './types.js';

/** Keeps sampled measurements of one series; `collect` copies what a collection exports. */
export interface ExemplarReservoir {
  offer(exemplar: BridgeExemplar): void;
  /** The kept exemplars (histograms: one slot per bucket), or `undefined` when there are none. */
  collect(): Array<BridgeExemplar | undefined> | undefined;
}

/**
 * OpenTelemetry's aligned-histogram-bucket reservoir: per bucket, the latest measurement that fell
 * in it. Buckets are `(previous bound, bound]`, the core histogram's (and Prometheus') rule.
 */
export class BucketReservoir implements ExemplarReservoir {
  private readonly slots: Array<BridgeExemplar | undefined>;
  private filled = false;

  constructor(private readonly boundaries: readonly number[]) {
    this.slots = new Array(boundaries.length + 1).fill(undefined);
  }

  offer(exemplar: BridgeExemplar): void {
    this.slots[bucketIndex(this.boundaries, exemplar.value)] = exemplar;
    this.filled = true;
  }

  collect(): Array<BridgeExemplar | undefined> | undefined {
    return this.filled ? this.slots.slice() : undefined;
  }
}

/**
 * OpenTelemetry's simple fixed-size reservoir: a uniform sample of the measurements seen since the
 * previous collection (reservoir sampling), the slots kept until replaced.
 */
export class FixedSizeReservoir implements ExemplarReservoir {
  private readonly slots: Array<BridgeExemplar | undefined>;
  private seen = 0;

  constructor(
    size: number,
    private readonly random: () => number = Math.random,
  ) {
    this.slots = new Array(size).fill(undefined);
  }

  offer(exemplar: BridgeExemplar): void {
    const seen = ++this.seen;
    const size = this.slots.length;
    if (seen <= size) {
      this.slots[seen - 1] = exemplar;
      return;
    }
    const index = Math.floor(this.random() * seen);
    if (index < size) this.slots[index] = exemplar;
  }

  collect(): Array<BridgeExemplar | undefined> | undefined {
    // A new interval starts: the next measurements replace the kept ones from the first slot on.
    this.seen = 0;
    return this.slots.some((slot) => slot !== undefined) ? this.slots.slice() : undefined;
  }
}
