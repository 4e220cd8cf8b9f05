import type { IncomingMessage, ServerResponse } from "node:http";

/** A request as the HTTP layer hands it on: body-parser puts the parsed JSON on `body`. */
export type HttpRequest = IncomingMessage & { body?: unknown };

/** Connect-style step (the `cors` and `body-parser` packages are written this way): answer, or call `next`. */
export type Middleware = (req: HttpRequest, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Runs `steps` in order, then `last`; an error passed to `next` (or thrown)
 * goes to `fail`. This is all the routing the services need: four fixed
 * paths and one chain for /graphql. Express's router and its per-request
 * prototype swaps cost the gateway about 5% of its CPU per answer under the
 * catalog benchmark (README "Performance"), for matching we do not use.
 */
export function runSteps(
  steps: readonly Middleware[],
  req: HttpRequest,
  res: ServerResponse,
  last: () => void,
  fail: (error: unknown) => void,
): void {
  let index = 0;
  const next = (error?: unknown): void => {
    if (error !== undefined) {
      fail(error);
      return;
    }
    const step = steps[index++];
    if (!step) {
      last();
      return;
    }
    try {
      step(req, res, next);
    } catch (thrown) {
      fail(thrown);
    }
  };
  next();
}

/** The path of a request URL, without its query string. */
export function pathOf(url: string | undefined): string {
  const path = url ?? "/";
  const query = path.indexOf("?");
  return query === -1 ? path : path.slice(0, query);
}

/** The query string of a request URL, with its `?` (empty without one), as Apollo's `search` wants it. */
export function searchOf(url: string | undefined): string {
  const query = url?.indexOf("?") ?? -1;
  return query === -1 || !url ? "" : url.slice(query);
}

/**
 * Sends a complete answer in one write: a string body goes out with the
 * headers (node:http joins them; a Buffer would be a second chunk), with its
 * exact content-length so keep-alive needs no chunked encoding.
 */
export function sendBody(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.statusCode = status;
  res.setHeader("content-type", contentType);
  res.setHeader("content-length", Buffer.byteLength(body));
  res.end(body);
}

export const JSON_UTF8 = "application/json; charset=utf-8";

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendBody(res, status, JSON_UTF8, JSON.stringify(value));
}
