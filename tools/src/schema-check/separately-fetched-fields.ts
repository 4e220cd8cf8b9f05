import { Kind, type ObjectTypeDefinitionNode, parse, type StringValueNode } from "graphql";

/** The graphs named by the `@join__type` / `@join__field` directives of a supergraph node. */
function joinGraphs(
  node: {
    directives?: readonly {
      name: { value: string };
      arguments?: readonly { name: { value: string }; value: unknown }[];
    }[];
  },
  directive: string,
) {
  const graphs = new Set<string>();
  for (const applied of node.directives ?? []) {
    if (applied.name.value !== directive) continue;
    const graph = applied.arguments?.find((argument) => argument.name.value === "graph")?.value as
      | StringValueNode
      | { kind: string; value: string }
      | undefined;
    if (graph) graphs.add(graph.value);
  }
  return graphs;
}

/**
 * Fields ("Type.field") that the gateway fetches from a different subgraph
 * than other fields of the same type: an entity's fields contributed by
 * another subgraph, like `Goods.stocks`. When that subgraph fails, the gateway
 * answers with the field as null — which only works while the field is
 * nullable. Making it non-null would turn an inventory outage into a missing
 * goods (the null propagates to the parent), so schema:check treats that
 * change as breaking even though plain GraphQL calls it safe.
 */
export function separatelyFetchedFields(supergraphSdl: string): Set<string> {
  const fields = new Set<string>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const type = definition as ObjectTypeDefinitionNode;
    const typeGraphs = joinGraphs(type, "join__type");
    if (typeGraphs.size < 2) continue;
    for (const field of type.fields ?? []) {
      const fieldGraphs = joinGraphs(field, "join__field");
      // No @join__field: every graph of the type resolves it, so it never comes from elsewhere.
      if (fieldGraphs.size > 0 && fieldGraphs.size < typeGraphs.size)
        fields.add(`${type.name.value}.${field.name.value}`);
    }
  }
  return fields;
}
