import type { HttpContextArgument } from "@emshop/common/apollo-handler";
import { REQUEST_ID_HEADER } from "@emshop/common/logging/request-id";
import { requestContextOf } from "@emshop/common/logging/request-log";

/**
 * Incoming headers that the gateway passes on to every subgraph request. The
 * bearer token travels on: each subgraph verifies it itself, so a subgraph
 * reached directly is no back door. The request id is added separately: it is
 * the caller's only when sane, else the one the gateway made.
 */
export const FORWARDED_HEADERS = ["authorization"] as const;

/** Longest value passed on: a JWT may be a few KB (a longer one is cut, and fails verification). */
const MAX_LENGTH: Record<(typeof FORWARDED_HEADERS)[number], number> = { authorization: 8192 };

export interface GatewayContext {
  forwardedHeaders: Record<string, string>;
  /** Aborted when the client goes away before its answer is sent: subgraph calls for it stop too. */
  signal: AbortSignal;
}

/** The caller's token and this request's id (../logging/request-log), and a signal for when the client goes away. */
export async function createGatewayContext({ req, res }: HttpContextArgument): Promise<GatewayContext> {
  const forwardedHeaders: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === "string" && value.length > 0) forwardedHeaders[name] = value.slice(0, MAX_LENGTH[name]);
  }
  const requestId = requestContextOf(res)?.id;
  if (requestId) forwardedHeaders[REQUEST_ID_HEADER] = requestId;
  const client = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) client.abort(new Error("the client closed the connection"));
  });
  return { forwardedHeaders, signal: client.signal };
}
