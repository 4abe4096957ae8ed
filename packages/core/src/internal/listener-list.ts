import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from './attributes.js';

/**
 * Listeners held as an immutable array, replaced on every change: dispatch reads `items` once and
 * a listener that unsubscribes (or subscribes) during dispatch never disturbs the loop.
 */
export class ListenerList<L> {
  /** The current listeners, in subscription order. */
  items: readonly L[] = [];

  /** Adds `listener` (a function, else a wiring error naming `what`); returns the function that removes it. */
  add(listener: L, what = 'listener'): () => void {
    if (typeof listener !== 'function') {
      throw new MetricsWiringError(
        'invalid-option',
        `${what} must be a function, got ${describeValue(listener)}.`,
      );
    }
    this.items = [...this.items, listener];
    return () => {
      this.items = this.items.filter((l) => l !== listener);
    };
  }
}
