import { GraphQLError } from "graphql";
import type { Logger } from "pino";
import { goodsFilter, parseAfter } from "./args";
import type { ChangeFeed } from "./feed-client";
import type { StockEventHub } from "./hub";
import { readReplay } from "./replay";
import { type StreamItem, SubscriberStream } from "./subscriber-stream";

export interface StockChangedDeps {
  hub: StockEventHub;
  feed: ChangeFeed;
  maxGoodsIds: number;
  maxReplay: number;
  logger: Logger;
}

interface StockChangedArgs {
  goodsIds?: string[] | null;
  after?: string | null;
}

/** A bug must not reach the client as its message (file paths, SQL): coded and logged instead. */
function clientError(error: unknown, logger: Logger): GraphQLError {
  if (error instanceof GraphQLError) {
    if (error.originalError) logger.warn({ err: error.originalError }, `stockChanged: ${error.message}`);
    return error;
  }
  logger.error({ err: error }, "stockChanged failed");
  return new GraphQLError("Internal server error", { extensions: { code: "INTERNAL_SERVER_ERROR" } });
}

/**
 * Subscription.stockChanged: checks its arguments, registers with the hub
 * (live events queue from then on), reads the replay behind `after`, and
 * returns the stream. Registering before the replay is read is what leaves no
 * gap: every change after the replay's end reaches the queue, and the queued
 * ones the replay already holds are dropped (SubscriberStream.startWith).
 * Any error up to here is the subscription's answer (a coded GraphQL error).
 */
export function stockChangedField(deps: StockChangedDeps) {
  return {
    async subscribe(_root: unknown, args: StockChangedArgs): Promise<AsyncIterableIterator<StreamItem>> {
      try {
        const keep = goodsFilter(args.goodsIds, deps.maxGoodsIds);
        const after = parseAfter(args.after);
        let unregister: () => void = () => undefined;
        const stream = new SubscriberStream(deps.maxReplay, () => unregister());
        unregister = await deps.hub.listen({
          deliver: (event) => {
            if (keep(event)) stream.push(event);
          },
          interrupt: (error) => stream.end(error),
        });
        if (after !== undefined) {
          try {
            const replay = await readReplay(deps.feed, after, keep, deps.maxReplay);
            stream.startWith(replay.events, replay.endCursor);
          } catch (error) {
            await stream.return();
            throw error;
          }
        }
        return stream;
      } catch (error) {
        throw clientError(error, deps.logger);
      }
    },
    /** Each payload is an event, or the error the stream ends with (the field's error, `data: null`). */
    resolve(payload: StreamItem) {
      if (payload instanceof GraphQLError) throw payload;
      return payload;
    },
  };
}
