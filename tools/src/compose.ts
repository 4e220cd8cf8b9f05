import { composeServices } from "@apollo/composition";
import type { ServiceDefinition } from "@apollo/federation-internals";
import { loadSubgraphDefinitions } from "./subgraphs";

/** Composes the subgraphs' SDL (the real files by default) into the supergraph SDL, or returns composition errors. */
export function composeSupergraph(subgraphs: ServiceDefinition[] = loadSubgraphDefinitions()) {
  const result = composeServices(subgraphs);
  return {
    supergraphSdl: result.errors ? undefined : result.supergraphSdl,
    errors: result.errors ?? [],
    hints: result.hints ?? [],
  };
}

/** The supergraph SDL exactly as `npm run compose` writes it to gateway/supergraph.graphql. */
export const toSupergraphFile = (supergraphSdl: string) =>
  supergraphSdl.endsWith("\n") ? supergraphSdl : `${supergraphSdl}\n`;
