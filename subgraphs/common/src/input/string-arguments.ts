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

/**
 * Where a document's arguments can hold NUL, in document order: a string
 * literal that does (`literal`), or a variable whose value will tell (`variable`).
 */
type Site = { kind: "literal"; path: string } | { kind: "variable"; name: string; path: string };

/** The sites of one argument as written in the document: literals, lists, objects and variables. */
function sitesOf(node: ValueNode, path: string, sites: Site[]): void {
  switch (node.kind) {
    case Kind.STRING:
      if (node.value.includes(NUL)) sites.push({ kind: "literal", path });
      return;
    case Kind.VARIABLE:
      sites.push({ kind: "variable", name: node.name.value, path });
      return;
    case Kind.LIST:
      node.values.forEach((item, index) => {
        sitesOf(item, `${path}[${index}]`, sites);
      });
      return;
    case Kind.OBJECT:
      for (const field of node.fields) sitesOf(field.value, `${path}.${field.name.value}`, sites);
      return;
    default:
      return;
  }
}

/**
 * Every argument of every field (in any fragment), walked once per parsed
 * document: Apollo Server keeps one per query text, and walking the whole
 * document on every request was about 1% of each service's CPU under load.
 * A literal holding NUL ends the list (nothing after it can be first).
 */
const sitesByDocument = new WeakMap<DocumentNode, Site[]>();
function documentSites(document: DocumentNode): Site[] {
  let sites = sitesByDocument.get(document);
  if (sites) return sites;
  const found: Site[] = [];
  visit(document, {
    Field(field) {
      for (const argument of field.arguments ?? [])
        sitesOf(argument.value, `${field.name.value}.${argument.name.value}`, found);
      return found.some((site) => site.kind === "literal") ? false : undefined;
    },
  });
  const literal = found.findIndex((site) => site.kind === "literal");
  sites = literal === -1 ? found : found.slice(0, literal + 1);
  sitesByDocument.set(document, sites);
  return sites;
}

/** `createGoods.input.name` for the first string argument (of any field, in any fragment) holding NUL. */
export function findNulArgument(document: DocumentNode, variables: Record<string, unknown>): string | undefined {
  for (const site of documentSites(document)) {
    const found = site.kind === "literal" ? site.path : nulInValue(variables[site.name], site.path);
    if (found) return found.slice(0, 200);
  }
  return undefined;
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
