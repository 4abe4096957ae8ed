/**
 * Optional base class for domain events. Any non-null object is a valid event; extending this
 * only makes the intent readable. Give an event a string `type` when it must cross a thread
 * boundary (structured clone keeps properties, not classes).
 *
 * @example
 * class DocumentSaveAttempt extends MetricEvent {
 *   constructor(readonly outcome: 'success' | 'failure') { super(); }
 * }
 */
export abstract class MetricEvent {}
