import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { pathOf } from "../http-pipeline";
import type { RequestContext } from "./request-context";
import { REQUEST_ID_HEADER, requestIdFrom } from "./request-id";

/** Scrapes are not logged while they succeed: they come every few seconds and say nothing. */
const QUIET_PATHS = /^\/metrics$/;

/** Each response's RequestContext, for code that has the response but not the async context. */
const contexts = new WeakMap<ServerResponse, RequestContext>();

/** The level of a request's summary line: error for 5xx and internal errors, warn for refusals, else info. */
function levelOf(status: number, context: RequestContext): "error" | "warn" | "info" {
  if (status >= 500 || context.graphql?.errorCodes.includes("INTERNAL_SERVER_ERROR")) return "error";
  if (status >= 400 || context.graphql?.outcome === "refused") return "warn";
  return "info";
}

/**
 * First step of every request: takes or makes the request id, returns it in
 * `x-request-id`, and logs one summary line when the response is done (or
 * the client went away): method, path without the query string (GET queries
 * carry variables there), status, duration, and the GraphQL operation name,
 * type, outcome and error codes. Never the body, variables or headers. The
 * caller runs the rest of the request inside the returned context.
 *
 * Written here rather than with pino-http: its request logger lives on `req`,
 * which the code that logs during a request (Apollo plugins, error formatting,
 * the gateway's data source) does not have; the id has to come from
 * AsyncLocalStorage anyway, and the summary needs facts only Apollo knows.
 */
export function beginRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): RequestContext {
  const context: RequestContext = { id: requestIdFrom(req.headers[REQUEST_ID_HEADER]), log: logger };
  const started = performance.now();
  contexts.set(res, context);
  res.setHeader(REQUEST_ID_HEADER, context.id);
  const summarize = (aborted: boolean) => {
    const status = res.statusCode;
    // Readiness logs its own reason when it fails; probes and scrapes come every few seconds.
    const path = pathOf(req.url).slice(0, 200);
    if (path.startsWith("/health/") || (QUIET_PATHS.test(path) && status < 400)) return;
    const code = context.errorCode ? { errorCodes: [context.errorCode] } : {};
    logger[aborted ? "warn" : levelOf(status, context)](
      {
        reqId: context.id,
        method: req.method,
        path,
        status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...code,
        ...context.graphql,
        ...(aborted ? { aborted: true } : {}),
      },
      aborted ? "request abandoned by the client" : "request",
    );
  };
  // "finish": the answer is handed to the network; "close" without it: the client went away first.
  res.once("finish", () => summarize(false));
  res.once("close", () => {
    if (!res.writableFinished) summarize(true);
  });
  return context;
}

/** The request context of `res` (set by `beginRequest`). */
export const requestContextOf = (res: ServerResponse): RequestContext | undefined => contexts.get(res);
