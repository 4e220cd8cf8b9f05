import { readFileSync } from "node:fs";
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { type DocumentNode, type GraphQLSchema, parse } from "graphql";
import { enforceAccessRules } from "./auth/access-rules";
import { type ExposureOptions, exposureOptions } from "./limits/apollo-options";
import { DEFAULT_LIMITS } from "./limits/options";
import { requestGuardPlugin } from "./request-guard";

export interface SubgraphApolloOptions<Context extends BaseContext> extends ExposureOptions {
  plugins?: ApolloServerPlugin<Context>[];
  /** Stack traces in error responses: development only. */
  includeStacktrace?: boolean;
}

/** A subgraph's SDL, read from the `.graphql` file next to its code (copied next to the bundle by the build). */
export const readTypeDefs = (sdlUrl: URL): DocumentNode => parse(readFileSync(sdlUrl, "utf8"));

/** The subgraph schema with the access rules of its SDL (`@authenticated`, `@requiresScopes`) enforced. */
export function subgraphSchema(typeDefs: DocumentNode, resolvers: object): GraphQLSchema {
  // The generated Resolvers types are stricter than (and compatible with) the untyped map buildSubgraphSchema takes.
  return enforceAccessRules(buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }));
}

/** Builds (does not start) a subgraph's Apollo server; tests call `executeOperation` on it. */
export function createSubgraphApollo<Context extends BaseContext>(
  name: string,
  schema: GraphQLSchema,
  options: SubgraphApolloOptions<Context> = {},
): ApolloServer<Context> {
  const exposure = exposureOptions<Context>(name, options);
  return new ApolloServer<Context>({
    schema,
    ...exposure,
    // Inline traces only matter with Apollo GraphOS usage reporting, which this deployment does not use.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      ...exposure.plugins,
      requestGuardPlugin<Context>((options.limits ?? DEFAULT_LIMITS).maxCost),
      ...(options.plugins ?? []),
    ],
    includeStacktraceInErrorResponses: options.includeStacktrace ?? false,
    // The service's own signal handler drains HTTP and closes the database in
    // order; Apollo's would stop Apollo alone and re-raise the signal mid-drain.
    stopOnTerminationSignals: false,
  });
}
