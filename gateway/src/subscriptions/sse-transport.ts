import type { IncomingMessage, ServerResponse } from "node:http";
import { sendHttpError } from "@emshop/common/http-errors";
import type { HttpRequest } from "@emshop/common/http-pipeline";
import { execute, subscribe } from "graphql";
import { createHandler } from "graphql-sse";
import type { Logger } from "pino";
import { SubscriptionErrorCode } from "./errors";
import type { PrepareSubscription } from "./operation";
import { originAllowed } from "./origin";

const EVENT_STREAM = "text/event-stream";

export interface EventStreamTransportOptions {
  prepare: PrepareSubscription;
  corsOrigins: readonly string[];
  logger: Logger;
}

type Stream = AsyncIterator<string>;

/**
 * graphql-sse in its "distinct connections" mode (one request, one event
 * stream, one subscription: what its client does by default) at
 * /graphql/stream. The route runs behind the service's CORS, method and body
 * steps, so `req.body` is parsed JSON already; graphql-sse's own node adapter
 * would read the body a second time, hence this small one. The "single
 * connection" mode (PUT reservations, kept in memory per token) is not offered.
 */
export function eventStreamTransport(options: EventStreamTransportOptions) {
  const handler = createHandler<IncomingMessage, { res: ServerResponse }>({
    execute,
    subscribe,
    // With `null` there is no stream token: every request is its own stream.
    authenticate: () => null,
    onSubscribe(_req, params) {
      const prepared = options.prepare(params);
      // Errors go into the stream as its only result: graphql-sse clients read them like any other.
      return Array.isArray(prepared) ? { data: null, errors: prepared } : { ...prepared, contextValue: undefined };
    },
  });
  const open = new Set<Stream>();
  let closing = false;

  async function handle(req: HttpRequest, res: ServerResponse) {
    if (closing) return sendHttpError(req, res, 503, "SHUTTING_DOWN", "the gateway is shutting down: connect again");
    if (!originAllowed(req.headers, options.corsOrigins))
      return sendHttpError(
        req,
        res,
        403,
        SubscriptionErrorCode.ForbiddenOrigin,
        "this origin may not subscribe: it is not one of the gateway's CORS_ORIGINS",
      );
    if (!(req.headers.accept ?? "").includes(EVENT_STREAM))
      return sendHttpError(req, res, 406, "NOT_ACCEPTABLE", `subscribe with accept: ${EVENT_STREAM}`);
    const [body, init] = await handler({
      method: req.method ?? "GET",
      url: req.url ?? "/",
      headers: {
        // graphql-sse matches the header exactly; "text/event-stream, */*" means the same here.
        get: (name) => (name === "accept" ? EVENT_STREAM : headerValue(req, name)),
      },
      body: req.body === undefined ? null : (req.body as Record<string, unknown>),
      raw: req,
      context: { res },
    });
    res.writeHead(init.status ?? 200, init.statusText, init.headers as Record<string, string>);
    if (!body || typeof body === "string") {
      res.end(body ?? undefined);
      return;
    }
    open.add(body);
    const stop = () => void body.return?.();
    res.once("close", stop);
    try {
      for await (const chunk of { [Symbol.asyncIterator]: () => body }) {
        if (!res.writable) break;
        // Backpressure: the next event is taken only once this one is handed to the socket.
        await new Promise<void>((resolve, reject) => res.write(chunk, (error) => (error ? reject(error) : resolve())));
      }
    } finally {
      open.delete(body);
      res.off("close", stop);
      res.end();
    }
  }

  return {
    route(req: HttpRequest, res: ServerResponse) {
      handle(req, res).catch((error: unknown) => {
        options.logger.error({ err: error }, "stockChanged event stream failed");
        if (!res.headersSent) sendHttpError(req, res, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
        else res.end();
      });
    },
    /** Ends every open stream (its subscription ends with it); clients reconnect, to another replica. */
    async close() {
      closing = true;
      await Promise.all([...open].map((stream) => stream.return?.()));
    },
  };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join("\n") : value;
}
