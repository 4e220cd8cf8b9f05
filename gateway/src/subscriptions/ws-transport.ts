import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { pathOf } from "@emshop/common/http-pipeline";
import { execute, subscribe } from "graphql";
// Renamed: it is no React hook, whatever its name says to the linter.
import { useServer as serveGraphqlWs } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { SubscriptionErrorCode, tooManySubscriptions } from "./errors";
import type { PrepareSubscription } from "./operation";
import { originAllowed } from "./origin";
import { refuseUpgrade } from "./upgrade-refusal";

/** WebSocket close code for a server going away (RFC 6455): graphql-ws clients reconnect on it. */
const GOING_AWAY = 1001;
/** Closing handshakes get this long on stop; sockets still open then are cut. */
const CLOSE_WAIT_MS = 2000;

export interface WebSocketTransportOptions {
  prepare: PrepareSubscription;
  maxPerConnection: number;
  maxMessageBytes: number;
  corsOrigins: readonly string[];
}

/**
 * graphql-ws (the `graphql-transport-ws` protocol) on the gateway's own port:
 * upgrades of /graphql only, from an allowed Origin (403 otherwise, before any
 * WebSocket exists), at most `maxPerConnection` subscriptions per connection.
 */
export function webSocketTransport(server: Server, options: WebSocketTransportOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
  let closing = false;
  serveGraphqlWs(
    {
      // Never send internal error messages in close reasons, whatever NODE_ENV says.
      isProd: true,
      execute,
      subscribe,
      onSubscribe(ctx, _id, payload) {
        // graphql-ws reserves the new subscription's id before calling this: it counts itself.
        if (Object.keys(ctx.subscriptions).length > options.maxPerConnection)
          return [tooManySubscriptions(options.maxPerConnection)];
        return options.prepare(payload);
      },
    },
    wss,
  );

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = pathOf(req.url);
    if (path !== "/graphql" && path !== "/graphql/")
      return refuseUpgrade(socket, 404, "NOT_FOUND", "WebSocket subscriptions are served at /graphql");
    if (closing) return refuseUpgrade(socket, 503, "SHUTTING_DOWN", "the gateway is shutting down: connect again");
    if (!originAllowed(req.headers, options.corsOrigins))
      return refuseUpgrade(
        socket,
        403,
        SubscriptionErrorCode.ForbiddenOrigin,
        "this origin may not subscribe: it is not one of the gateway's CORS_ORIGINS",
      );
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  };
  server.on("upgrade", onUpgrade);

  return {
    /** Says goodbye to every connection (1001: clients reconnect, to another replica) and waits for them to go. */
    async close() {
      closing = true;
      const sockets = [...wss.clients];
      await Promise.all(
        sockets.map(
          (ws) =>
            new Promise<void>((resolve) => {
              if (ws.readyState === ws.CLOSED) return resolve();
              const cut = setTimeout(() => ws.terminate(), CLOSE_WAIT_MS);
              ws.once("close", () => {
                clearTimeout(cut);
                resolve();
              });
              ws.close(GOING_AWAY, "the gateway is shutting down: reconnect");
            }),
        ),
      );
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
