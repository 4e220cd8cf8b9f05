import {
  createSubgraphApollo,
  readTypeDefs,
  type SubgraphApolloOptions,
  subgraphSchema,
} from "@emshop/common/subgraph-server";
import type { InventoryContext } from "./context";
import { resolvers } from "./resolvers";

/** The SDL this subgraph serves; also read by composition and schema checks. */
export const typeDefs = readTypeDefs(new URL("./schema.graphql", import.meta.url));

export const schema = subgraphSchema(typeDefs, resolvers);

/** Builds (does not start) the inventory subgraph; tests call `executeOperation` on it. */
export const createInventoryServer = (options?: SubgraphApolloOptions<InventoryContext>) =>
  createSubgraphApollo<InventoryContext>("inventory", schema, options);
