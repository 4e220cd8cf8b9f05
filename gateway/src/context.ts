import type { ExpressContextFunctionArgument } from "@as-integrations/express5";

/** Incoming headers that the gateway passes on to every subgraph request. */
export const FORWARDED_HEADERS = ["x-actor", "x-request-id"] as const;

export interface GatewayContext {
  forwardedHeaders: Record<string, string>;
  /** Aborted when the client goes away before its answer is sent: subgraph calls for it stop too. */
  signal: AbortSignal;
}

/**
 * Who is acting (`x-actor`, recorded in the inventory ledger) and the request
 * id for tracing. The gateway does not authenticate: in production an auth
 * proxy in front of it sets these headers.
 */
export async function createGatewayContext({ req, res }: ExpressContextFunctionArgument): Promise<GatewayContext> {
  const forwardedHeaders: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === "string" && value.length > 0) forwardedHeaders[name] = value.slice(0, 200);
  }
  const client = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) client.abort(new Error("the client closed the connection"));
  });
  return { forwardedHeaders, signal: client.signal };
}
