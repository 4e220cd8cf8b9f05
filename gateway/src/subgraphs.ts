import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "graphql";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Where the composed supergraph the gateway serves is committed. */
export const supergraphPath = join(repoRoot, "gateway", "supergraph.graphql");

/** The subgraphs of the supergraph: name, SDL file and default local URL. */
export const subgraphList = [
  {
    name: "goods",
    sdlPath: join(repoRoot, "subgraphs/goods/src/schema.graphql"),
    url: "http://localhost:4001/graphql",
    urlEnv: "GOODS_URL",
  },
  {
    name: "inventory",
    sdlPath: join(repoRoot, "subgraphs/inventory/src/schema.graphql"),
    url: "http://localhost:4002/graphql",
    urlEnv: "INVENTORY_URL",
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

/** Runtime URLs: GOODS_URL / INVENTORY_URL, else the local defaults baked into the supergraph. */
export function subgraphUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(subgraphList.map(({ name, url, urlEnv }) => [name, env[urlEnv] ?? url]));
}
