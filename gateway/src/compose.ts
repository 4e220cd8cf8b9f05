import { composeServices } from "@apollo/composition";
import { loadSubgraphDefinitions } from "./subgraphs";

/** Composes the subgraphs' SDL files into the supergraph SDL, or returns composition errors. */
export function composeSupergraph(subgraphs = loadSubgraphDefinitions()) {
  const result = composeServices(subgraphs);
  return {
    supergraphSdl: result.errors ? undefined : result.supergraphSdl,
    errors: result.errors ?? [],
    hints: result.hints ?? [],
  };
}
