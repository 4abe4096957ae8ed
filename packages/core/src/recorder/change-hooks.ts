import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import { ListenerList } from '../internal/listener-list.js';
import type { RecorderReports } from './recorder-reports.js';
import type {
  BatchListener,
  ChangeListener,
  ChangeListenerOptions,
  MetricChange,
  RecorderView,
} from './types.js';

/**
 * A recorder's post-change hook and its batch-end listeners: who listens, and calling them with
 * every throw contained (counted in `failures`, reported once per kind).
 */
export class ChangeHooks {
  /** True while anything listens to changes: only then does the recorder build a `MetricChange`. */
  hooked: boolean;
  /**
   * True while every listener reads its changes during the call only (`transient`) and no
   * `afterChange` override listens: the recorder may then reuse one change record.
   */
  reusable: boolean;
  /** Hook and listener calls that threw. */
  failures = 0;
  // Listeners that may keep the changes they are handed (not `transient`).
  private keeping = 0;
  private readonly changeListeners = new ListenerList<ChangeListener>();
  private readonly batchListeners = new ListenerList<BatchListener>();

  /** `afterChange`: a subclass's override, or `undefined` when the recorder has none. */
  constructor(
    private readonly afterChange: ((change: MetricChange) => void) | undefined,
    private readonly reports: RecorderReports,
  ) {
    this.hooked = afterChange !== undefined;
    this.reusable = afterChange === undefined;
  }

  /** Adds a change listener; returns the unsubscribe function. */
  onChange(listener: ChangeListener, options?: ChangeListenerOptions): () => void {
    const transient = transientOf(options);
    const remove = this.changeListeners.add(listener, 'onChange: the listener');
    if (!transient) this.keeping++;
    this.hooked = true;
    this.reusable = this.afterChange === undefined && this.keeping === 0;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      remove();
      if (!transient) this.keeping--;
      this.hooked = this.afterChange !== undefined || this.changeListeners.items.length > 0;
      this.reusable = this.afterChange === undefined && this.keeping === 0;
    };
  }

  /** Adds a batch-end listener; returns the unsubscribe function. */
  onBatchEnd(listener: BatchListener): () => void {
    return this.batchListeners.add(listener, 'onBatchEnd: the listener');
  }

  /** Runs `afterChange`, then every change listener, in subscription order. */
  fire(change: MetricChange): void {
    const listeners = this.changeListeners.items;
    // The common case (one listener, e.g. a bridge, no afterChange): one guarded call, no loop.
    if (listeners.length === 1 && this.afterChange === undefined) {
      try {
        (listeners[0] as ChangeListener)(change);
      } catch (error) {
        this.failed('onChange listener', error);
      }
      return;
    }
    if (this.afterChange !== undefined) {
      try {
        this.afterChange(change);
      } catch (error) {
        this.failed('afterChange', error);
      }
    }
    // Read again: `afterChange` may have added or removed a listener.
    const all = this.changeListeners.items;
    for (let i = 0; i < all.length; i++) {
      try {
        (all[i] as ChangeListener)(change);
      } catch (error) {
        this.failed('onChange listener', error);
      }
    }
  }

  /** Runs every batch-end listener with the recorder and the number of events just processed. */
  endBatch(recorder: RecorderView, count: number): void {
    const listeners = this.batchListeners.items;
    for (let i = 0; i < listeners.length; i++) {
      try {
        (listeners[i] as BatchListener)(recorder, count);
      } catch (error) {
        this.failed('onBatchEnd listener', error);
      }
    }
  }

  private failed(what: string, error: unknown): void {
    this.failures++;
    this.reports.listenerFailed(what, error);
  }
}

/** `options.transient`, checked at wiring: `undefined` or an object whose `transient` is a boolean or absent. */
function transientOf(options: ChangeListenerOptions | undefined): boolean {
  if (options === undefined) return false;
  let transient: unknown;
  try {
    transient = typeof options === 'object' && options !== null ? options.transient : options;
  } catch {
    transient = options; // a throwing getter or a revoked Proxy
  }
  if (
    typeof options !== 'object' ||
    options === null ||
    (transient !== undefined && typeof transient !== 'boolean')
  ) {
    throw new MetricsWiringError(
      'invalid-option',
      `onChange: options must be an object like { transient: true }, got ${describeValue(typeof options === 'object' && options !== null ? transient : options)}${typeof options === 'object' && options !== null ? ' for transient' : ''}.`,
    );
  }
  return transient === true;
}
