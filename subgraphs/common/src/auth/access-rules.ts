import { getDirective } from "@graphql-tools/utils";
import { defaultFieldResolver, GraphQLError, type GraphQLField, type GraphQLSchema, isObjectType } from "graphql";
import type { AuthState } from "./verify";

/** Error codes of access rules (in `extensions.code`). */
export const AuthErrorCode = { Unauthenticated: "UNAUTHENTICATED", Forbidden: "FORBIDDEN" } as const;

/** Any context that carries the request's verified caller. */
export interface AuthContext {
  auth: AuthState;
}

/** A field's access rule, from `@authenticated` / `@requiresScopes` on the field or its type. */
export interface AccessRule {
  authenticated: boolean;
  /** Alternatives: the caller needs every scope of at least one inner list. */
  scopes: string[][] | null;
}

const unauthenticated = (coordinate: string, rule: AccessRule, problem: string | null) =>
  new GraphQLError(
    `${coordinate} requires ${rule.scopes ? `a token with scope ${describe(rule.scopes)}` : "a valid token"}${problem ? `: ${problem}` : ": none was sent"}`,
    { extensions: { code: AuthErrorCode.Unauthenticated, requiredScopes: rule.scopes ?? [] } },
  );

const describe = (scopes: string[][]) => scopes.map((all) => all.join(" and ")).join(" or ");

/** Checks one call against a rule; throws UNAUTHENTICATED or FORBIDDEN, before the resolver runs. */
export function checkAccess(coordinate: string, rule: AccessRule, auth: AuthState | undefined) {
  const principal = auth?.principal;
  if (!principal) throw unauthenticated(coordinate, rule, auth?.problem ?? null);
  if (rule.scopes && !rule.scopes.some((all) => all.every((scope) => principal.scopes.has(scope))))
    throw new GraphQLError(`${coordinate} requires scope ${describe(rule.scopes)}`, {
      extensions: { code: AuthErrorCode.Forbidden, requiredScopes: rule.scopes },
    });
}

/** The access rule declared for a field (on the field, else on its parent type), or null when it is public. */
export function accessRuleOf(
  schema: GraphQLSchema,
  typeName: string,
  field: GraphQLField<unknown, unknown>,
): AccessRule | null {
  const type = schema.getType(typeName);
  const on = (directive: string) =>
    getDirective(schema, field, directive)?.[0] ?? (type ? getDirective(schema, type, directive)?.[0] : undefined);
  const requires = on("requiresScopes") as { scopes?: string[][] } | undefined;
  const authenticated = on("authenticated") !== undefined;
  if (!requires && !authenticated) return null;
  return { authenticated: true, scopes: requires?.scopes ?? null };
}

/**
 * Enforces the access rules a subgraph's SDL declares with Federation's
 * `@authenticated` and `@requiresScopes`: every such field's resolver is
 * wrapped with the check, once, when the schema is built. Adding a protected
 * field is one line of SDL; no resolver repeats the check. The gateway
 * composes the same directives into the supergraph but does not enforce them
 * (@apollo/gateway leaves that to the subgraphs), and a subgraph reached
 * directly must refuse just the same.
 */
export function enforceAccessRules(schema: GraphQLSchema): GraphQLSchema {
  // In place rather than with mapSchema: rebuilding the types would drop what
  // buildSubgraphSchema attached to them (the entities' __resolveReference).
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const rule = accessRuleOf(schema, type.name, field);
      if (!rule) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      const coordinate = `${type.name}.${field.name}`;
      field.resolve = (source, args, context: AuthContext, info) => {
        checkAccess(coordinate, rule, context?.auth);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}

/** The ledger's `actor`: the token's subject, with its role or client; never a header the caller can set. */
export function actorOf(auth: AuthState | undefined): string | null {
  const principal = auth?.principal;
  if (!principal) return null;
  const via = principal.role ?? principal.client;
  return via ? `${principal.subject} (${via})` : principal.subject;
}
