/**
 * Listeners held as an immutable array, replaced on every change: dispatch reads `items` once and
 * a listener that unsubscribes (or subscribes) during dispatch never disturbs the loop.
 */
export class ListenerList<L> {
  /** The current listeners, in subscription order. */
  items: readonly L[] = [];

  /** Adds `listener`; returns the function that removes it. */
  add(listener: L): () => void {
    this.items = [...this.items, listener];
    return () => {
      this.items = this.items.filter((l) => l !== listener);
    };
  }
}
