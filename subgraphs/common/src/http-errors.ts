import type { ServerResponse } from "node:http";
import cors from "cors";
import type { Logger } from "pino";
import { responseMediaType } from "./graphql-over-http";
import { type HttpRequest, JSON_UTF8, type Middleware, pathOf, sendBody } from "./http-pipeline";
import { requestContextOf } from "./logging/request-log";

/**
 * Every request the HTTP layer turns away gets what a GraphQL client can read:
 * a JSON GraphQL error with a stable code and the right status, in the media
 * type the client accepts (the request's summary line carries its code). Never
 * an HTML error page, which would carry the stack and server file paths.
 */
export function sendHttpError(req: HttpRequest, res: ServerResponse, status: number, code: string, message: string) {
  const context = requestContextOf(res);
  if (context) context.errorCode = code;
  if (res.headersSent) {
    res.end();
    return;
  }
  const type = responseMediaType(req.headers.accept) ?? JSON_UTF8;
  sendBody(res, status, type, JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** What body-parser's errors mean for a GraphQL client. */
const BODY_ERRORS: Record<string, [number, string, string]> = {
  "entity.too.large": [413, "PAYLOAD_TOO_LARGE", "the request body is larger than this service accepts"],
  "entity.parse.failed": [400, "BAD_REQUEST", "the request body is not valid JSON"],
  "entity.verify.failed": [400, "BAD_REQUEST", "the request body is not valid JSON"],
  "charset.unsupported": [415, "UNSUPPORTED_MEDIA_TYPE", "the request body must be UTF-8 JSON"],
  "encoding.unsupported": [415, "UNSUPPORTED_MEDIA_TYPE", "the request body's content-encoding is not supported"],
  "request.aborted": [400, "BAD_REQUEST", "the request body was not received completely"],
  "request.size.invalid": [400, "BAD_REQUEST", "the request body's length does not match its content-length"],
};

/** The last handler: known body errors by their meaning, anything else as a coded 500 without details. */
export const jsonErrors =
  (logger: Logger) =>
  (error: unknown, req: HttpRequest, res: ServerResponse): void => {
    const known = BODY_ERRORS[(error as { type?: string }).type ?? ""];
    if (known) {
      sendHttpError(req, res, ...known);
      return;
    }
    const status = (error as { status?: number }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      sendHttpError(req, res, status, "BAD_REQUEST", "the request could not be read");
      return;
    }
    logger.error(
      { err: error, method: req.method, path: pathOf(req.url).slice(0, 100) },
      "unexpected error while reading a request",
    );
    sendHttpError(req, res, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
  };

/** Unknown paths: 404, coded. */
export const notFound = (req: HttpRequest, res: ServerResponse) =>
  sendHttpError(req, res, 404, "NOT_FOUND", "nothing here: GraphQL is served at /graphql");

const JSON_BODY = /^application\/json\s*(;|$)/i;

/**
 * /graphql takes GET (queries) and POST, and POST bodies only as
 * `application/json`. That rule is what keeps mutations from being sent
 * cross-site: a page on another origin can only send "simple" requests
 * without a CORS preflight, i.e. GET or a POST with text/plain, form or
 * multipart bodies. GET never runs a mutation (Apollo answers 405), and those
 * POST bodies are refused here (415) before they are read. So Apollo's own
 * CSRF prevention (which also blocks GETs without a special header and so
 * breaks the default GET queries of urql, graphql-request and Apollo Client)
 * is not needed; and the API authenticates with bearer tokens only, never
 * cookies, so a cross-site page has no ambient credentials to act with anyway.
 */
export const graphqlMethods: Middleware = (req, res, next) => {
  if (req.method === "GET" || req.method === "HEAD") return next();
  if (req.method === "OPTIONS") {
    // A preflight from an allowed origin was answered by CORS already: this is any other OPTIONS.
    res.statusCode = 204;
    res.setHeader("allow", "GET, POST, OPTIONS");
    res.end();
    return;
  }
  if (req.method !== "POST") {
    res.setHeader("allow", "GET, POST, OPTIONS");
    sendHttpError(req, res, 405, "METHOD_NOT_ALLOWED", "use GET for queries or POST for any operation");
    return;
  }
  if (!JSON_BODY.test(req.headers["content-type"] ?? "")) {
    sendHttpError(
      req,
      res,
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      "POST bodies must be JSON: send content-type: application/json",
    );
    return;
  }
  next();
};

/** Headers a storefront may send cross-origin: the token, the body type, tracing, Apollo's client identification. */
export const CORS_ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "accept",
  "x-request-id",
  "apollographql-client-name",
  "apollographql-client-version",
  "apollo-require-preflight",
  "x-apollo-operation-name",
];

/**
 * CORS for the configured origins (`*`: any, refused in production by the
 * configuration). A preflight from an allowed origin is answered 204 with the
 * methods and headers; any other origin gets no Access-Control-* header at
 * all, so its browser refuses to hand it the answer.
 */
export function corsFor(origins: string[]): Middleware | undefined {
  if (origins.length === 0) return undefined;
  const any = origins.includes("*");
  const allowed = new Set(origins);
  const options: cors.CorsOptions = {
    origin: any ? "*" : true, // `true` reflects the request's origin, already checked below
    methods: ["GET", "POST", "OPTIONS"],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: ["x-request-id"],
    maxAge: 600,
    optionsSuccessStatus: 204,
  };
  // The cors package alone would still answer a foreign origin's preflight with
  // Allow-Methods/Allow-Headers; here such a request never reaches it.
  return cors((req, callback) => {
    const origin = req.headers.origin;
    callback(null, any || (origin !== undefined && allowed.has(origin)) ? options : { origin: false });
  });
}
