import { HttpRequestServed } from '../http/events.js';
import {
  DocumentCountChanged,
  DocumentLookup,
  DocumentSaveAttempt,
  StorageUsageMeasured,
} from '../storage/events.js';

// Events cross the IPC channel as data (JSON): classes are lost on the way. The worker names each
// event's class in `type`; the primary turns it back into an instance of that class, so the
// metrics (which select events by class) are the same in both modes. Production code is unchanged.

const CLASSES: Record<string, new (...args: never[]) => object> = {
  DocumentSaveAttempt,
  DocumentLookup,
  DocumentCountChanged,
  StorageUsageMeasured,
  HttpRequestServed,
};

/** Something that accepts events (a recorder, or a worker's connection to the primary). */
export interface EventSink {
  registerEvent(event: object): void;
}

/** In a worker: a sink that tags each event with its class name before it crosses. */
export function tagging(sink: EventSink): EventSink {
  return {
    registerEvent(event) {
      sink.registerEvent({ ...event, type: event.constructor.name });
    },
  };
}

/** In the primary: the `revive` of `runtime.clusterPrimary()` — an instance of the named class. */
export function revive(event: object): object {
  const type = (event as { type?: unknown }).type;
  const Class =
    typeof type === 'string' && Object.hasOwn(CLASSES, type) ? CLASSES[type] : undefined;
  return Class === undefined ? event : Object.assign(Object.create(Class.prototype), event);
}
