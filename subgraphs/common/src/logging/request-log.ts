import type { Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";
import { type RequestContext, runInRequest } from "./request-context";
import { REQUEST_ID_HEADER, requestIdFrom } from "./request-id";

/** Scrapes are not logged while they succeed: they come every few seconds and say nothing. */
const QUIET_PATHS = /^\/metrics$/;

const requestOf = (res: Response): RequestContext | undefined => res.locals.request as RequestContext | undefined;

/** The level of a request's summary line: error for 5xx and internal errors, warn for refusals, else info. */
function levelOf(status: number, context: RequestContext): "error" | "warn" | "info" {
  if (status >= 500 || context.graphql?.errorCodes.includes("INTERNAL_SERVER_ERROR")) return "error";
  if (status >= 400 || context.graphql?.outcome === "refused") return "warn";
  return "info";
}

/**
 * First middleware of every service: takes or makes the request id, returns
 * it in `x-request-id`, runs the rest of the request inside its
 * RequestContext, and logs one summary line when the response is done (or the
 * client went away): method, path without the query string (GET queries carry
 * variables there), status, duration, and the GraphQL operation name, type,
 * outcome and error codes. Never the body, variables or headers.
 *
 * Written here rather than with pino-http: its request logger lives on `req`,
 * which the code that logs during a request (Apollo plugins, error formatting,
 * the gateway's data source) does not have; the id has to come from
 * AsyncLocalStorage anyway, and the summary needs facts only Apollo knows.
 */
export const requestLogging =
  (logger: Logger): RequestHandler =>
  (req, res, next) => {
    const context: RequestContext = { id: requestIdFrom(req.headers[REQUEST_ID_HEADER]), log: logger };
    const started = performance.now();
    res.locals.request = context;
    res.setHeader(REQUEST_ID_HEADER, context.id);
    const summarize = (aborted: boolean) => {
      // The full path (req.path is relative to the router that answered), never the query string.
      const status = res.statusCode;
      // Readiness logs its own reason when it fails; probes and scrapes come every few seconds.
      const path = (req.originalUrl.split("?")[0] ?? "").slice(0, 200);
      if (path.startsWith("/health/") || (QUIET_PATHS.test(path) && status < 400)) return;
      const code = typeof res.locals.errorCode === "string" ? { errorCodes: [res.locals.errorCode] } : {};
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
    runInRequest(context, next);
  };

/**
 * Re-enters the request's context: body-parser resumes the middleware chain
 * from the socket's 'end' event, whose async context is the connection's, not
 * the request's. Placed right before Apollo so GraphQL execution has it.
 */
export const withinRequest: RequestHandler = (_req: Request, res, next) => {
  const context = requestOf(res);
  if (context) runInRequest(context, next);
  else next();
};

/** The request context Express holds for `res` (set by `requestLogging`). */
export const requestContextOf = requestOf;
