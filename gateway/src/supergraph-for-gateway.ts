import { type ASTVisitor, type DirectiveNode, Kind, parse, print, visit } from "graphql";

/** Access-rule features of the supergraph: the subgraphs enforce them, @apollo/gateway cannot. */
const ACCESS_RULE_FEATURES = ["https://specs.apollo.dev/authenticated/", "https://specs.apollo.dev/requiresScopes/"];
const ACCESS_RULE_NAMES = new Set(["authenticated", "requiresScopes", "requiresScopes__Scope"]);

const linksAccessRules = (node: DirectiveNode) =>
  node.name.value === "link" &&
  node.arguments?.some(
    (argument) =>
      argument.name.value === "url" &&
      argument.value.kind === Kind.STRING &&
      ACCESS_RULE_FEATURES.some((url) => (argument.value as { value: string }).value.startsWith(url)),
  );

/**
 * The supergraph as @apollo/gateway can load it. The committed supergraph
 * carries the subgraphs' `@authenticated` / `@requiresScopes` (linked
 * `for: SECURITY`): @apollo/gateway refuses to start on security features it
 * does not enforce, rightly so if it were the only guard. Here every subgraph
 * enforces its own access rules on every request (a subgraph reached directly
 * refuses the same), so the gateway gets the supergraph without them; query
 * planning is unaffected, and the committed file keeps them for the schema
 * checks and for a router that enforces them at the edge too.
 */
export function supergraphForGateway(supergraphSdl: string): string {
  return print(visit(parse(supergraphSdl), stripAccessRules));
}

/** Removes the access-rule directives, their definitions and scalars (null deletes a node). */
const stripAccessRules: ASTVisitor = {
  Directive: (node) => (ACCESS_RULE_NAMES.has(node.name.value) || linksAccessRules(node) ? null : undefined),
  DirectiveDefinition: (node) => (ACCESS_RULE_NAMES.has(node.name.value) ? null : undefined),
  ScalarTypeDefinition: (node) => (ACCESS_RULE_NAMES.has(node.name.value) ? null : undefined),
};
