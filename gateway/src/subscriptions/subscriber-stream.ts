import { compareCursors } from "@emshop/common/events/stock-event";
import type { GraphQLError } from "graphql";
import { subscriberTooSlow } from "./errors";
import type { LiveStockEvent } from "./live-event";

/** What one subscription yields: an event, or, last, the error it ends with. */
export type StreamItem = LiveStockEvent | GraphQLError;

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The events of one subscription: the replay (if any), then the live events
 * behind it. Written as a plain iterator, not an async generator, because a
 * generator waiting for the next event cannot be returned from: a client that
 * unsubscribes would stay registered until the goods changed again.
 *
 * Live events queue while the replay is read and while the client is slow;
 * more than `maxQueued` and the subscription ends with SUBSCRIBER_TOO_SLOW
 * (the client resumes from its last cursor) instead of the queue growing.
 */
export class SubscriberStream implements AsyncIterableIterator<StreamItem> {
  private replayed: LiveStockEvent[] = [];
  private queued: LiveStockEvent[] = [];
  /** Live events at or before this cursor were replayed already. */
  private boundary: string | undefined;
  private ending: GraphQLError | undefined;
  private finished = false;
  private waiting: ((result: IteratorResult<StreamItem>) => void) | undefined;

  constructor(
    private readonly maxQueued: number,
    private readonly onClose: () => void,
  ) {}

  /** The replay, read to `endCursor`: queued live events it already holds are dropped. */
  startWith(events: LiveStockEvent[], endCursor: string) {
    this.replayed = events;
    this.boundary = endCursor;
    this.queued = this.queued.filter((event) => compareCursors(event.cursor, endCursor) > 0);
  }

  push(event: LiveStockEvent) {
    if (this.finished || this.ending) return;
    if (this.boundary !== undefined && compareCursors(event.cursor, this.boundary) <= 0) return;
    if (this.waiting) return this.hand({ done: false, value: event });
    if (this.queued.length >= this.maxQueued) {
      // What is queued would be stale by the time it was read: the client resumes from its last cursor.
      this.queued = [];
      this.end(subscriberTooSlow(this.maxQueued));
      return;
    }
    this.queued.push(event);
  }

  /** Ends the stream after what is queued, with `error` as its last item. */
  end(error: GraphQLError) {
    if (this.finished || this.ending) return;
    this.ending = error;
    if (this.waiting) this.hand(this.take());
  }

  private hand(result: IteratorResult<StreamItem>) {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(result);
  }

  private take(): IteratorResult<StreamItem> {
    const next = this.replayed.shift() ?? this.queued.shift();
    if (next) return { done: false, value: next };
    if (this.ending) {
      const error = this.ending;
      this.close();
      return { done: false, value: error };
    }
    return DONE;
  }

  next(): Promise<IteratorResult<StreamItem>> {
    if (this.finished) return Promise.resolve(DONE);
    const result = this.take();
    if (!result.done || this.finished) return Promise.resolve(result);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  private close() {
    if (this.finished) return;
    this.finished = true;
    this.replayed = [];
    this.queued = [];
    this.onClose();
  }

  /** The client went away or unsubscribed: unregister at once, and end a pending `next`. */
  return(): Promise<IteratorResult<StreamItem>> {
    this.close();
    this.hand(DONE);
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
