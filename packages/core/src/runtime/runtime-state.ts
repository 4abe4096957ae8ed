import { describeError } from '../errors/describe-error.js';
import { type ErrorHandler, MetricsError } from '../errors/index.js';
import { ListenerList } from '../internal/listener-list.js';
import type { RuntimeState, StateListener } from './types.js';

/** Where each state may go next: `initializing → running → draining → drained | failed`. */
const NEXT: Readonly<Record<RuntimeState, readonly RuntimeState[]>> = {
  initializing: ['running', 'draining'],
  running: ['draining'],
  draining: ['drained', 'failed'],
  drained: [],
  failed: [],
};

/** The terminal states: a runtime there processes nothing more. */
export function isTerminal(state: RuntimeState): boolean {
  return NEXT[state].length === 0;
}

/**
 * A runtime's lifecycle state and its watchers. Listeners run synchronously, in subscription
 * order, once per transition; one that throws is reported (`listener-failed`) and the others
 * still run. A transition made by a listener is delivered after the current one reached every
 * listener, so every listener sees the transitions in the order they happened.
 */
export class RuntimeStateMachine {
  private current: RuntimeState = 'initializing';
  private readonly listeners = new ListenerList<StateListener>();
  private readonly queued: Array<readonly [RuntimeState, RuntimeState]> = [];
  private delivering = false;

  constructor(
    private readonly namespace: string,
    private readonly onError: ErrorHandler,
  ) {}

  get state(): RuntimeState {
    return this.current;
  }

  /** Adds a watcher; returns the unsubscribe function. */
  subscribe(listener: StateListener): () => void {
    return this.listeners.add(
      listener,
      `MetricsRuntime "${this.namespace}": onStateChange listener`,
    );
  }

  /** Moves to `next` when the lifecycle allows it; returns whether it moved. */
  moveTo(next: RuntimeState): boolean {
    const previous = this.current;
    if (!NEXT[previous].includes(next)) return false;
    this.current = next;
    this.queued.push([next, previous]);
    if (!this.delivering) this.deliver();
    return true;
  }

  private deliver(): void {
    this.delivering = true;
    try {
      for (let transition = this.queued.shift(); transition; transition = this.queued.shift()) {
        const [state, previous] = transition;
        for (const listener of this.listeners.items) {
          try {
            listener(state, previous);
          } catch (error) {
            this.onError(
              new MetricsError(
                'listener-failed',
                `An onStateChange listener of runtime "${this.namespace}" threw on ${previous} → ${state}: ${describeError(error)}`,
                { cause: error },
              ),
            );
          }
        }
      }
    } finally {
      this.delivering = false;
    }
  }
}
