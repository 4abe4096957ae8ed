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
   * True while something listens to changes whose event carried no context (a listener without
   * `withContext`, or `afterChange`): without it, such a change is built for nobody.
   */
  everyChange: boolean;
  /**
   * True while every listener reads its changes during the call only (`transient`) and no
   * `afterChange` override listens: the recorder may then reuse one change record.
   */
  reusable: boolean;
  /** Hook and listener calls that threw. */
  failures = 0;
  // Listeners that may keep the changes they are handed (not `transient`).
  private keeping = 0;
  // Listeners that want every change (not `withContext`).
  private everyChangeListeners = 0;
  private readonly changeListeners = new ListenerList<ChangeListener>();
  private readonly batchListeners = new ListenerList<BatchListener>();

  /** `afterChange`: a subclass's override, or `undefined` when the recorder has none. */
  constructor(
    private readonly afterChange: ((change: MetricChange) => void) | undefined,
    private readonly reports: RecorderReports,
  ) {
    this.hooked = afterChange !== undefined;
    this.everyChange = afterChange !== undefined;
    this.reusable = afterChange === undefined;
  }

  /** Adds a change listener; returns the unsubscribe function. */
  onChange(listener: ChangeListener, options?: ChangeListenerOptions): () => void {
    const { transient, withContext } = flagsOf(options);
    // A `withContext` listener is held behind a filter: called only when the change has a context.
    const held: ChangeListener =
      withContext && typeof listener === 'function'
        ? (change) => {
            if (change.context !== undefined) listener(change);
          }
        : listener;
    const remove = this.changeListeners.add(held, 'onChange: the listener');
    if (!transient) this.keeping++;
    if (!withContext) this.everyChangeListeners++;
    this.update();
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      remove();
      if (!transient) this.keeping--;
      if (!withContext) this.everyChangeListeners--;
      this.update();
    };
  }

  private update(): void {
    const own = this.afterChange !== undefined;
    this.hooked = own || this.changeListeners.items.length > 0;
    this.everyChange = own || this.everyChangeListeners > 0;
    this.reusable = !own && this.keeping === 0;
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

/**
 * `options.transient` and `options.withContext`, checked at wiring: `undefined`, or an object whose
 * `transient` and `withContext` are booleans or absent.
 */
function flagsOf(options: ChangeListenerOptions | undefined): {
  transient: boolean;
  withContext: boolean;
} {
  if (options === undefined) return { transient: false, withContext: false };
  if (typeof options !== 'object' || options === null) {
    throw new MetricsWiringError(
      'invalid-option',
      `onChange: options must be an object like { transient: true }, got ${describeValue(options)}.`,
    );
  }
  return { transient: flag(options, 'transient'), withContext: flag(options, 'withContext') };
}

function flag(options: ChangeListenerOptions, name: 'transient' | 'withContext'): boolean {
  let value: unknown;
  try {
    value = options[name];
  } catch {
    value = options; // a throwing getter or a revoked Proxy
  }
  if (value !== undefined && typeof value !== 'boolean') {
    throw new MetricsWiringError(
      'invalid-option',
      `onChange: options must be an object like { transient: true }, got ${describeValue(value)} for ${name}.`,
    );
  }
  return value === true;
}
