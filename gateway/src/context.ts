import type { ExpressContextFunctionArgument } from "@as-integrations/express5";

/** Incoming headers that the gateway passes on to every subgraph request. */
export const FORWARDED_HEADERS = ["x-actor", "x-request-id"] as const;

export interface GatewayContext {
  forwardedHeaders: Record<string, string>;
}

/**
 * Who is acting (`x-actor`, recorded in the inventory ledger) and the request
 * id for tracing. The gateway does not authenticate: in production an auth
 * proxy in front of it sets these headers.
 */
export async function createGatewayContext({ req }: ExpressContextFunctionArgument): Promise<GatewayContext> {
  const forwardedHeaders: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === "string" && value.length > 0) forwardedHeaders[name] = value.slice(0, 200);
  }
  return { forwardedHeaders };
}
