import type { ServerResponse } from "node:http";
import {
  type ApolloServer,
  type BaseContext,
  type ContextFunction,
  HeaderMap,
  type HTTPGraphQLResponse,
} from "@apollo/server";
import { BATCH_PARTS_HEADER, type BatchPart, joinBatch } from "./batch-protocol";
import { sendHttpError } from "./http-errors";
import { type HttpRequest, JSON_UTF8, searchOf, sendBody } from "./http-pipeline";
import { type GraphQLSummary, type RequestContext, runInRequest } from "./logging/request-context";
import { requestContextOf } from "./logging/request-log";

/** What a service's context function gets: the Node request (with its parsed body) and response. */
export interface HttpContextArgument {
  req: HttpRequest;
  res: ServerResponse;
}

export interface ApolloHandlerOptions {
  /**
   * Most operations one batched request (a JSON array body, see
   * ./batch-protocol.ts) may carry; 0 (the default) leaves arrays to Apollo,
   * which refuses them. Subgraphs take batches from the gateway; the gateway
   * takes none from clients.
   */
  maxBatchOperations?: number;
}

/** Worst first: the summary line of a batch says the worst outcome of its operations. */
const OUTCOME_RANK = ["refused", "error", "ok"];

/** One summary for a batch's line: its operations' names, the worst outcome, every error code once. */
function batchSummary(parts: readonly (GraphQLSummary | undefined)[]): GraphQLSummary {
  const names = [...new Set(parts.map((part) => part?.operationName).filter(Boolean))];
  const outcomes = parts.map((part) => part?.outcome ?? "ok");
  const worst = OUTCOME_RANK.find((outcome) => outcomes.includes(outcome)) ?? "ok";
  return {
    batch: parts.length,
    ...(names.length > 0 ? { operationName: names.join(",").slice(0, 200) } : {}),
    ...(parts[0]?.operationType ? { operationType: parts[0].operationType } : {}),
    outcome: worst,
    errorCodes: [...new Set(parts.flatMap((part) => part?.errorCodes ?? []))],
  };
}

const deferInBatch = (): BatchPart => ({
  status: 400,
  text: JSON.stringify({
    errors: [
      { message: "incremental delivery (@defer) is not available in a batch", extensions: { code: "BAD_REQUEST" } },
    ],
  }),
});

/**
 * Hands one HTTP request to Apollo Server and writes its answer: what
 * `@as-integrations/express5` does, on plain node:http. A complete answer is
 * sent in one write; an incremental one (@defer) chunk by chunk as Apollo
 * yields them.
 *
 * A batch (an array body, when `maxBatchOperations` allows it) is run here
 * rather than by Apollo's `allowBatchedHttpRequests`: each operation goes
 * through Apollo on its own, with its own context (its own DataLoaders and
 * deadline, as if it had come alone), and the reply keeps each operation's
 * status, which Apollo's batch reply folds into one.
 */
export function apolloHandler<Context extends BaseContext>(
  server: ApolloServer<Context>,
  context: ContextFunction<[HttpContextArgument], Context>,
  options: ApolloHandlerOptions = {},
) {
  server.assertStarted("apolloHandler()");
  const maxBatch = options.maxBatchOperations ?? 0;

  const execute = (req: HttpRequest, res: ServerResponse, headers: HeaderMap, body: unknown) =>
    server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method?.toUpperCase() ?? "GET", headers, search: searchOf(req.url), body },
      context: () => context({ req, res }),
    });

  /** One operation of a batch, logged under the request's id with its own GraphQL facts. */
  const part = async (
    req: HttpRequest,
    res: ServerResponse,
    headers: HeaderMap,
    body: unknown,
    parent: RequestContext | undefined,
  ): Promise<{ part: BatchPart; summary: GraphQLSummary | undefined }> => {
    const own: RequestContext | undefined = parent && { id: parent.id, log: parent.log };
    const run = () => execute(req, res, headers, body);
    const response: HTTPGraphQLResponse = await (own ? runInRequest(own, run) : run());
    if (response.body.kind !== "complete") {
      await response.body.asyncIterator.return?.();
      return { part: deferInBatch(), summary: { outcome: "refused", errorCodes: ["BAD_REQUEST"] } };
    }
    return { part: { status: response.status ?? 200, text: response.body.string }, summary: own?.graphql };
  };

  const answerBatch = async (req: HttpRequest, res: ServerResponse, headers: HeaderMap, operations: unknown[]) => {
    if (operations.length === 0) return sendHttpError(req, res, 400, "BAD_REQUEST", "the batch holds no operation");
    if (operations.length > maxBatch)
      return sendHttpError(
        req,
        res,
        400,
        "BATCH_TOO_LARGE",
        `a batch holds at most ${maxBatch} operations (got ${operations.length})`,
      );
    const parent = requestContextOf(res);
    // Each operation's context watches the response for the caller leaving: one listener per operation.
    res.setMaxListeners(Math.max(res.getMaxListeners(), operations.length + 10));
    const answers = await Promise.all(operations.map((operation) => part(req, res, headers, operation, parent)));
    if (parent) parent.graphql = batchSummary(answers.map((answer) => answer.summary));
    const { body, header } = joinBatch(answers.map((answer) => answer.part));
    if (!res.hasHeader("cache-control")) res.setHeader("cache-control", "no-store");
    res.setHeader(BATCH_PARTS_HEADER, header);
    sendBody(res, 200, JSON_UTF8, body);
  };

  return async (req: HttpRequest, res: ServerResponse): Promise<void> => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers))
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    if (maxBatch > 0 && Array.isArray(req.body)) return answerBatch(req, res, headers, req.body);
    const response = await execute(req, res, headers, req.body);
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
