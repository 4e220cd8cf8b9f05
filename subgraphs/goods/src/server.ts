import {
  createSubgraphApollo,
  readTypeDefs,
  type SubgraphApolloOptions,
  subgraphSchema,
} from "@emshop/common/subgraph-server";
import type { GoodsContext } from "./context";
import { readYourWritesPlugin } from "./read-your-writes";
import { resolvers } from "./resolvers";

/** The SDL this subgraph serves; also read by composition and schema checks. */
export const typeDefs = readTypeDefs(new URL("./schema.graphql", import.meta.url));

export const schema = subgraphSchema(typeDefs, resolvers);

/** Builds (does not start) the goods subgraph; tests call `executeOperation` on it. */
export const createGoodsServer = (options: SubgraphApolloOptions<GoodsContext> = {}) =>
  createSubgraphApollo<GoodsContext>("goods", schema, {
    ...options,
    plugins: [readYourWritesPlugin(), ...(options.plugins ?? [])],
  });
