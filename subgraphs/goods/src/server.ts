import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { formatError } from "@emshop/common/format-error";
import { parse } from "graphql";
import type { GoodsContext } from "./context";
import { resolvers } from "./resolvers";

/** The SDL this subgraph serves; also read by composition and schema checks. */
export const typeDefs = parse(readFileSync(new URL("./schema.graphql", import.meta.url), "utf8"));

export const schema = buildSubgraphSchema({
  typeDefs,
  // The generated Resolvers type is stricter than (and compatible with) the untyped map buildSubgraphSchema takes.
  resolvers: resolvers as GraphQLResolverMap<unknown>,
});

/** Builds (does not start) the goods subgraph; tests call `executeOperation` on it. */
export function createGoodsServer() {
  return new ApolloServer<GoodsContext>({
    schema,
    // Inline traces only matter with Apollo GraphOS usage reporting, which this deployment does not use.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    formatError: formatError("goods"),
    includeStacktraceInErrorResponses: process.env.NODE_ENV === "development",
  });
}
