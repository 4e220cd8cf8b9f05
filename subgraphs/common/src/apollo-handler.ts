import type { ServerResponse } from "node:http";
import { type ApolloServer, type BaseContext, type ContextFunction, HeaderMap } from "@apollo/server";
import { type HttpRequest, searchOf } from "./http-pipeline";

/** What a service's context function gets: the Node request (with its parsed body) and response. */
export interface HttpContextArgument {
  req: HttpRequest;
  res: ServerResponse;
}

/**
 * Hands one HTTP request to Apollo Server and writes its answer: what
 * `@as-integrations/express5` does, on plain node:http. A complete answer is
 * sent in one write; an incremental one (@defer) chunk by chunk as Apollo
 * yields them.
 */
export function apolloHandler<Context extends BaseContext>(
  server: ApolloServer<Context>,
  context: ContextFunction<[HttpContextArgument], Context>,
) {
  server.assertStarted("apolloHandler()");
  return async (req: HttpRequest, res: ServerResponse): Promise<void> => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers))
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: req.method?.toUpperCase() ?? "GET",
        headers,
        search: searchOf(req.url),
        body: req.body,
      },
      context: () => context({ req, res }),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    // What Apollo's cache-control plugin (turned off in ./limits/apollo-options.ts) said of every
    // answer without cache hints, and no schema here has any: a GraphQL answer is never stored.
    if (!res.hasHeader("cache-control")) res.setHeader("cache-control", "no-store");
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      res.setHeader("content-length", Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
