import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from "@apollo/federation-internals";
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";

/**
 * The API schema of a supergraph: what clients of the gateway see, without
 * join__/link__ types, federation directives or @inaccessible elements.
 * Sorted, so that moving a field inside a subgraph is not a change.
 */
export function apiSchemaFromSupergraph(supergraphSdl: string): GraphQLSchema {
  return lexicographicSortSchema(
    Supergraph.build(supergraphSdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES })
      .apiSchema()
      .toGraphQLJSSchema(),
  );
}

/** The API schema as written to gateway/schema.baseline.graphql. */
export const printApiSchema = (schema: GraphQLSchema) => `${printSchema(lexicographicSortSchema(schema))}\n`;
