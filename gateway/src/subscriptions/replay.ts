import { replayTooLong } from "./errors";
import type { ChangeFeed } from "./feed-client";
import type { LiveStockEvent } from "./live-event";

/** The most changes inventory gives in one page. */
const FEED_PAGE = 1000;

export interface Replay {
  /** The changes behind `after` that the subscriber asked for, in feed order. */
  events: LiveStockEvent[];
  /** Where the replay ended: live events at or before it are the replay's. */
  endCursor: string;
}

/**
 * Reads the feed from `after` until caught up. The cap counts every change
 * read (of all goods, filtered or not): it bounds what one resume costs the
 * gateway and inventory, whatever the subscriber keeps of it. Pages are sized
 * so that exactly one change past the cap is read before refusing.
 */
export async function readReplay(
  feed: ChangeFeed,
  after: string,
  keep: (event: LiveStockEvent) => boolean,
  maxChanges: number,
): Promise<Replay> {
  const events: LiveStockEvent[] = [];
  let cursor = after;
  let read = 0;
  for (;;) {
    const page = await feed.read(cursor, Math.min(FEED_PAGE, maxChanges - read + 1));
    read += page.items.length;
    if (read > maxChanges) throw replayTooLong(maxChanges);
    for (const event of page.items) if (keep(event)) events.push(event);
    cursor = page.endCursor;
    if (!page.hasNextPage) return { events, endCursor: cursor };
  }
}
