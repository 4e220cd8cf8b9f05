import { fileURLToPath } from "node:url";

/**
 * The committed supergraph the gateway serves. Relative to this module, so it
 * resolves the same from `gateway/src` (tsx) and from `gateway/dist` (the build).
 */
export const defaultSupergraphPath = fileURLToPath(new URL("../supergraph.graphql", import.meta.url));

/** Local URLs of the subgraphs, as baked into the supergraph; the configuration overrides them. */
export const defaultSubgraphUrls: Record<string, string> = {
  goods: "http://localhost:4001/graphql",
  inventory: "http://localhost:4002/graphql",
};
