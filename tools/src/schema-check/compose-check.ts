import type { ServiceDefinition } from "@apollo/federation-internals";
import type { ASTNode, GraphQLError } from "graphql";
import { composeSupergraph } from "../compose";
import { type Finding, type StepResult, stepResult } from "./types";

type MaybeSubgraphNode = ASTNode & { subgraph?: string };

/**
 * The subgraphs an error or hint is about: composition tags the AST nodes it
 * reports with their subgraph; errors raised while validating one subgraph
 * carry it only as a "[name] " message prefix instead.
 */
export function subgraphsOf(message: string, nodes: readonly MaybeSubgraphNode[] | undefined): string[] {
  const names = new Set<string>();
  for (const node of nodes ?? []) if (node.subgraph) names.add(node.subgraph);
  const prefix = /^\[([^\]]+)\] /.exec(message)?.[1];
  if (prefix) names.add(prefix);
  return [...names].sort();
}

const errorFinding = (error: GraphQLError): Finding => ({
  severity: "error",
  code: String(error.extensions.code ?? "COMPOSITION_ERROR"),
  subgraphs: subgraphsOf(error.message, error.nodes as readonly MaybeSubgraphNode[] | undefined),
  message: error.message,
});

export interface CompositionCheck {
  step: StepResult;
  /** The composed supergraph SDL; undefined when composition failed. */
  supergraphSdl?: string;
}

/** Step 1: composes the subgraphs with @apollo/composition; errors fail, hints warn. */
export function checkComposition(subgraphs: ServiceDefinition[]): CompositionCheck {
  const { supergraphSdl, errors, hints } = composeSupergraph(subgraphs);
  const names = subgraphs.map((subgraph) => subgraph.name).join(", ");
  const findings: Finding[] = [
    ...errors.map(errorFinding),
    ...hints.map(
      (hint): Finding => ({
        severity: "warning",
        code: hint.definition.code,
        subgraphs: subgraphsOf(hint.message, hint.nodes),
        message: hint.message,
      }),
    ),
  ];
  const summary = supergraphSdl
    ? `${subgraphs.length} subgraphs composed (${names})${hints.length ? `, ${hints.length} hint(s)` : ""}`
    : `composition of ${names} failed with ${errors.length} error(s)`;
  return {
    step: stepResult("composition", summary, findings, "fix the subgraph SDL named in each error"),
    ...(supergraphSdl ? { supergraphSdl } : {}),
  };
}
