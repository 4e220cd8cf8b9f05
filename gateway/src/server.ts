import { readFileSync } from "node:fs";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { formatError } from "@emshop/common/format-error";
import type { GatewayContext } from "./context";
import { ResilientDataSource } from "./subgraph-data-source";
import { subgraphUrlsFromEnv, supergraphPath } from "./subgraphs";

export interface GatewayOptions {
  /** Subgraph name → URL; defaults to GOODS_URL / INVENTORY_URL or the local ports. */
  subgraphUrls?: Record<string, string>;
  /** Per-subgraph-request timeout in ms (default SUBGRAPH_TIMEOUT_MS or 2000). */
  subgraphTimeoutMs?: number;
  supergraphSdl?: string;
}

/**
 * Builds (does not start) the gateway from the committed, static supergraph:
 * no introspection of subgraphs at start, so it starts even when they are down
 * and serves exactly the schema that CI checked.
 */
export function createGateway(options: GatewayOptions = {}) {
  const urls = options.subgraphUrls ?? subgraphUrlsFromEnv();
  const timeoutMs = options.subgraphTimeoutMs ?? Number(process.env.SUBGRAPH_TIMEOUT_MS ?? 2000);
  // @apollo/gateway otherwise sends usage metrics to Apollo and probes cloud
  // metadata endpoints at construction. A shop's gateway phones nobody unless
  // its operator opts in with APOLLO_TELEMETRY_DISABLED=false.
  process.env.APOLLO_TELEMETRY_DISABLED ??= "true";
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl ?? readFileSync(supergraphPath, "utf8"),
    buildService: ({ name, url }) => new ResilientDataSource(name, urls[name] ?? url ?? "", timeoutMs),
  });
  return new ApolloServer<GatewayContext>({
    gateway,
    formatError: formatError("gateway"),
    includeStacktraceInErrorResponses: process.env.NODE_ENV === "development",
  });
}
