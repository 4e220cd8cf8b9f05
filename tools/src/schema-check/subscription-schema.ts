import {
  buildSchema,
  type GraphQLNamedType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  validateSchema,
} from "graphql";
import { apiSchemaFromSupergraph } from "./api-schema";
import { type Finding, type StepResult, stepResult } from "./types";

export interface SubscriptionSchemaInput {
  /** The gateway's subscription SDL; undefined when the file does not exist. */
  subscriptionSdl: string | undefined;
  /** The committed supergraph (what the gateway serves); undefined when missing. */
  supergraphSdl: string | undefined;
  /** Both files as printed in the report. */
  file: string;
  supergraphFile: string;
}

/** The field the gateway attaches its resolver to (gateway/src/subscriptions/schema.ts). */
const REQUIRED_FIELD = "stockChanged";

const kindOf = (type: GraphQLNamedType) =>
  isScalarType(type)
    ? "scalar"
    : isEnumType(type)
      ? "enum"
      : isObjectType(type)
        ? "type"
        : isInterfaceType(type)
          ? "interface"
          : isInputObjectType(type)
            ? "input"
            : "union";

/** What differs between a type of the subscription schema and the supergraph's type of the same name. */
function differences(own: GraphQLNamedType, served: GraphQLNamedType): string[] {
  if (kindOf(own) !== kindOf(served)) return [`is ${kindOf(own)} here but ${kindOf(served)} in the supergraph`];
  if (isEnumType(own) && isEnumType(served)) {
    const ours = new Set(own.getValues().map((value) => value.name));
    const theirs = new Set(served.getValues().map((value) => value.name));
    return [
      ...[...theirs].filter((value) => !ours.has(value)).map((value) => `lacks the supergraph's value ${value}`),
      ...[...ours].filter((value) => !theirs.has(value)).map((value) => `has ${value}, which the supergraph lacks`),
    ];
  }
  if ((isObjectType(own) || isInterfaceType(own)) && (isObjectType(served) || isInterfaceType(served))) {
    const fields = served.getFields();
    return Object.values(own.getFields()).flatMap((field) => {
      const match = fields[field.name];
      if (!match) return [`has field ${field.name}, which the supergraph's ${served.name} lacks`];
      return String(match.type) === String(field.type)
        ? []
        : [`${field.name}: ${String(field.type)} here but ${String(match.type)} in the supergraph`];
    });
  }
  return [];
}

/** The types both schemas define by name (built-in scalars and the root types aside). */
function sharedTypes(own: GraphQLSchema, served: GraphQLSchema): [GraphQLNamedType, GraphQLNamedType][] {
  const roots = new Set(["Query", "Mutation", "Subscription"]);
  return Object.values(own.getTypeMap())
    .filter((type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type) && !roots.has(type.name))
    .flatMap((type): [GraphQLNamedType, GraphQLNamedType][] => {
      const match = served.getType(type.name);
      return match ? [[type, match]] : [];
    });
}

/**
 * The gateway's own subscription schema (it is not composed: the gateway
 * serves it beside the supergraph): it must be a valid schema with
 * Subscription.stockChanged, and every type it shares a name with the
 * supergraph (StockStatus, StockEventType, DateTime) must be the same there,
 * so that a client's cache and codegen see one StockStatus, not two that drifted.
 */
export function checkSubscriptionSchema(input: SubscriptionSchemaInput): StepResult {
  const { file, supergraphFile } = input;
  const fix = `make ${file} agree with the supergraph (or the subgraphs, then npm run compose)`;
  const failed = (summary: string, findings: Finding[]) => stepResult("subscription-schema", summary, findings, fix);
  if (input.subscriptionSdl === undefined)
    return failed(`${file} is missing`, [{ severity: "error", file, message: `${file} is missing` }]);
  let own: GraphQLSchema;
  try {
    own = buildSchema(input.subscriptionSdl);
  } catch (error) {
    return failed(`${file} is not a valid schema`, [
      { severity: "error", file, code: "GRAPHQL_PARSE_FAILED", message: (error as Error).message },
    ]);
  }
  const invalid: Finding[] = validateSchema(own).map((error) => ({
    severity: "error",
    file,
    code: "INVALID_SCHEMA",
    message: error.message,
  }));
  if (!own.getSubscriptionType()?.getFields()[REQUIRED_FIELD])
    invalid.push({
      severity: "error",
      file,
      message: `Subscription.${REQUIRED_FIELD} is missing: the gateway serves it`,
    });
  if (invalid.length > 0) return failed(`${file} is not a valid subscription schema`, invalid);
  if (input.supergraphSdl === undefined)
    return failed(`${supergraphFile} is missing`, [
      { severity: "error", file: supergraphFile, message: `${supergraphFile} is missing: nothing to compare with` },
    ]);
  const served = apiSchemaFromSupergraph(input.supergraphSdl);
  const shared = sharedTypes(own, served);
  const findings: Finding[] = shared.flatMap(([type, match]) =>
    differences(type, match).map((message) => ({
      severity: "error" as const,
      file,
      code: "SHARED_TYPE_MISMATCH",
      path: type.name,
      message: `${type.name} ${message}`,
    })),
  );
  const names = shared.map(([type]) => type.name).join(", ") || "none";
  return stepResult(
    "subscription-schema",
    findings.length > 0
      ? `${findings.length} difference(s) between ${file} and ${supergraphFile}`
      : `${file} is valid; the types it shares with the supergraph agree (${names})`,
    findings,
    fix,
  );
}
