import { setTimeout as sleep } from "node:timers/promises";
import { GraphQLError } from "graphql";
import type { Logger } from "pino";
import { streamInterrupted } from "./errors";
import type { ChangeFeed } from "./feed-client";
import type { HubSink, LiveSource } from "./hub";

/** Changes per poll: inventory's largest page (a gateway that fell behind catches up in few round trips). */
const PAGE = 1000;
/** After a failed poll the next waits longer, doubling up to this. */
const MAX_BACKOFF_MS = 5000;

const codeOf = (error: unknown) => (error instanceof GraphQLError ? error.extensions.code : undefined);

/**
 * The live source without NATS: polls inventory's change feed from its head
 * (changes from now on) every `intervalMs`, straight again while pages are
 * full. A failed poll keeps its place and retries, so a short outage of
 * inventory only delays events. Should the place fall out of the feed's
 * retention (CURSOR_EXPIRED after a very long outage), it starts over from the
 * head and ends every open subscription with STREAM_INTERRUPTED: they resume
 * with their last cursor, and the replay tells them what they missed.
 */
export function startFeedPoller(feed: ChangeFeed, sink: HubSink, intervalMs: number, logger: Logger): LiveSource {
  const stopping = new AbortController();
  const run = async () => {
    let position: string | undefined;
    let failures = 0;
    let lastFailure = "";
    while (!stopping.signal.aborted) {
      let wait = intervalMs;
      try {
        if (position === undefined) {
          position = await feed.head(stopping.signal);
          sink.goLive();
        }
        const page = await feed.read(position, PAGE, stopping.signal);
        for (const event of page.items) sink.publish(event);
        position = page.endCursor;
        if (failures > 0) logger.info("stockChanged: the change feed answers again");
        failures = 0;
        lastFailure = "";
        if (page.hasNextPage) wait = 0;
      } catch (error) {
        if (stopping.signal.aborted) break;
        failures++;
        wait = Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** failures);
        if (codeOf(error) === "CURSOR_EXPIRED") {
          logger.error(
            "stockChanged: the poller's place left the change feed's retention; starting over from its head",
          );
          position = undefined;
          sink.interrupt(streamInterrupted());
        } else {
          // One line per kind of failure, not one per poll while inventory stays down.
          const cause = error instanceof GraphQLError && error.originalError ? error.originalError : error;
          const message = (cause as Error).message;
          if (message !== lastFailure)
            logger.warn({ err: cause }, "stockChanged: cannot read the change feed; retrying");
          lastFailure = message;
        }
      }
      if (wait > 0) await sleep(wait, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  };
  const running = run();
  return {
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
