const INITIAL_LENGTH = 16;
const SHRINK_ABOVE = 4096;

/**
 * A recorder's pending events in arrival order: a power-of-two ring that starts small, doubles up
 * to `capacity` and can be reset after a burst, with a parallel array for captured contexts once a
 * capturer exists. Fields are public so the recorder's hot paths read them without a call; the
 * ring never decides what to drop (the overflow policy and its counters are the recorder's).
 */
export class EventRing {
  readonly capacity: number;
  events: (object | undefined)[] = new Array(INITIAL_LENGTH);
  contexts: unknown[] | undefined;
  /** min(capacity, events.length): the one bound `push` callers check before their slow path. */
  room: number;
  head = 0;
  size = 0;
  private mask = INITIAL_LENGTH - 1;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.room = Math.min(capacity, INITIAL_LENGTH);
  }

  /** Appends `event` (the caller made sure `size < room`) and returns its slot. */
  push(event: object): number {
    const slot = (this.head + this.size) & this.mask;
    this.events[slot] = event;
    this.size++;
    return slot;
  }

  /** Removes and returns the oldest event (the caller made sure `size > 0`), clearing its context. */
  shift(): object {
    const slot = this.head;
    const event = this.events[slot] as object;
    this.events[slot] = undefined;
    if (this.contexts !== undefined) this.contexts[slot] = undefined;
    this.head = (slot + 1) & this.mask;
    this.size--;
    return event;
  }

  /** The context captured with the oldest event (before `shift()`), if contexts are kept. */
  oldestContext(): unknown {
    return this.contexts === undefined ? undefined : this.contexts[this.head];
  }

  /** Starts keeping a context beside every event from now on. */
  keepContexts(): void {
    this.contexts ??= new Array(this.events.length);
  }

  /** Doubles the ring (the caller made sure `size < capacity`). */
  grow(): void {
    const length = this.events.length * 2;
    const events: (object | undefined)[] = new Array(length);
    const contexts = this.contexts === undefined ? undefined : new Array<unknown>(length);
    for (let i = 0; i < this.size; i++) {
      const from = (this.head + i) & this.mask;
      events[i] = this.events[from];
      if (contexts !== undefined) contexts[i] = (this.contexts as unknown[])[from];
    }
    this.events = events;
    this.contexts = contexts;
    this.mask = length - 1;
    this.room = Math.min(this.capacity, length);
    this.head = 0;
  }

  /** Whether the ring grew past the size worth giving back once it is empty. */
  get oversized(): boolean {
    return this.events.length > SHRINK_ABOVE;
  }

  /** Back to the initial length (the caller made sure the ring is empty). */
  reset(): void {
    this.events = new Array(INITIAL_LENGTH);
    if (this.contexts !== undefined) this.contexts = new Array(INITIAL_LENGTH);
    this.mask = INITIAL_LENGTH - 1;
    this.room = Math.min(this.capacity, INITIAL_LENGTH);
    this.head = 0;
  }
}
