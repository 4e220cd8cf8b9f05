import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { type DocumentNode, GraphQLError, Kind, type ValueNode, visit } from "graphql";

const NUL = "\u0000";

/** The path of the first string holding NUL in a JSON value (a variable's value), if any. */
function nulInValue(value: unknown, path: string): string | undefined {
  if (typeof value === "string") return value.includes(NUL) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = nulInValue(item, `${path}[${index}]`);
      if (found) return found;
    }
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const found = nulInValue(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** The same for an argument as written in the document: literals, lists, objects and variables. */
function nulInArgument(node: ValueNode, variables: Record<string, unknown>, path: string): string | undefined {
  switch (node.kind) {
    case Kind.STRING:
      return node.value.includes(NUL) ? path : undefined;
    case Kind.VARIABLE:
      return nulInValue(variables[node.name.value], path);
    case Kind.LIST:
      for (const [index, item] of node.values.entries()) {
        const found = nulInArgument(item, variables, `${path}[${index}]`);
        if (found) return found;
      }
      return undefined;
    case Kind.OBJECT:
      for (const field of node.fields) {
        const found = nulInArgument(field.value, variables, `${path}.${field.name.value}`);
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** `createGoods.input.name` for the first string argument (of any field, in any fragment) holding NUL. */
export function findNulArgument(document: DocumentNode, variables: Record<string, unknown>): string | undefined {
  let found: string | undefined;
  visit(document, {
    Field(field) {
      for (const argument of field.arguments ?? []) {
        found ??= nulInArgument(argument.value, variables, `${field.name.value}.${argument.name.value}`)?.slice(0, 200);
      }
      return found ? false : undefined;
    },
  });
  return found;
}

/**
 * The one check every string argument passes, in every service, before any
 * resolver runs: no U+0000. PostgreSQL text cannot hold NUL at all, so such a
 * value would otherwise fail deep in a write as a driver error
 * (INTERNAL_SERVER_ERROR). It is refused, never stripped: a silently changed
 * name or orderSn is worse than an error. The error names the argument
 * (`extensions.field`, e.g. `adjustStock.reason` or `createGoods.input.name`).
 */
export function stringArgumentsPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const field = findNulArgument(document, request.variables ?? {});
          if (field)
            throw new GraphQLError(`${field}: strings must not contain the NUL character (U+0000)`, {
              extensions: { code: "BAD_USER_INPUT", field, http: { status: 400 } },
            });
        },
      };
    },
  };
}
