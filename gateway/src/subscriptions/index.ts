import type { Server } from "node:http";
import type { ServiceExtension } from "@emshop/common/http-service";
import type { Logger } from "pino";
import { changeFeedClient } from "./feed-client";
import { startFeedPoller } from "./feed-poller";
import { StockEventHub } from "./hub";
import { startJetStreamSource } from "./jetstream-source";
import { prepareSubscription } from "./operation";
import type { SubscriptionOptions } from "./options";
import { subscriptionSchema } from "./schema";
import { feedAuthorization } from "./service-token";
import { eventStreamTransport } from "./sse-transport";
import { webSocketTransport } from "./ws-transport";

/** Where graphql-sse clients connect (graphql-ws clients use /graphql, by upgrade). */
export const EVENT_STREAM_PATH = "/graphql/stream";

/**
 * The stockChanged subscription on the gateway's port, as a startHttpService
 * extension: graphql-ws by WebSocket upgrade of /graphql, graphql-sse at
 * /graphql/stream, both executing the one subscription schema against one hub
 * of live events per process. On stop the transports end every subscription
 * first (clients reconnect elsewhere), then the live source stops.
 */
export function subscriptionExtension(options: SubscriptionOptions, logger: Logger) {
  return (server: Server): ServiceExtension => {
    const log = logger.child({ component: "subscriptions" });
    const feed = changeFeedClient(options.feedUrl, feedAuthorization(options.credential));
    const nats = options.nats;
    const hub = new StockEventHub((sink) =>
      nats ? startJetStreamSource(nats, sink, log) : startFeedPoller(feed, sink, options.pollIntervalMs, log),
    );
    const schema = subscriptionSchema({
      hub,
      feed,
      maxGoodsIds: options.maxGoodsIds,
      maxReplay: options.maxReplay,
      logger: log,
    });
    const prepare = (params: Parameters<typeof prepareSubscription>[1]) =>
      prepareSubscription(schema, params, options.maxTokens);
    const ws = webSocketTransport(server, {
      prepare,
      maxPerConnection: options.maxPerConnection,
      maxMessageBytes: options.maxMessageBytes,
      corsOrigins: options.corsOrigins,
    });
    const sse = eventStreamTransport({ prepare, corsOrigins: options.corsOrigins, logger: log });
    return {
      routes: { [EVENT_STREAM_PATH]: sse.route, [`${EVENT_STREAM_PATH}/`]: sse.route },
      async close() {
        await Promise.all([ws.close(), sse.close()]);
        await hub.stop();
      },
    };
  };
}
