import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "graphql";

/** The repository root (this file is tools/src/subgraphs.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Where the composed supergraph the gateway serves is committed. */
export const supergraphPath = join(repoRoot, "gateway", "supergraph.graphql");

/**
 * The subgraphs of the supergraph: name, SDL file and the default local URL
 * baked into the supergraph (the gateway overrides it at runtime from its env).
 */
export const subgraphList = [
  {
    name: "goods",
    sdlPath: join(repoRoot, "subgraphs/goods/src/schema.graphql"),
    url: "http://localhost:4001/graphql",
  },
  {
    name: "inventory",
    sdlPath: join(repoRoot, "subgraphs/inventory/src/schema.graphql"),
    url: "http://localhost:4002/graphql",
  },
] as const;

/** The subgraphs with their SDL parsed, as `@apollo/composition` takes them. */
export function loadSubgraphDefinitions() {
  return subgraphList.map(({ name, sdlPath, url }) => ({
    name,
    url,
    typeDefs: parse(readFileSync(sdlPath, "utf8")),
  }));
}
