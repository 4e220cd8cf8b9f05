import { integer, type Setting, text } from "./settings";

/** Abuse limits every HTTP service reads: the gateway and each subgraph (subgraphs are reachable directly). */
export const limitSettings = {
  MAX_DEPTH: integer({
    default: 12,
    min: 1,
    max: 100,
    description: "deepest field nesting an operation may have (`QUERY_TOO_DEEP`)",
  }),
  MAX_ALIASES: integer({
    default: 30,
    min: 0,
    max: 10_000,
    description: "aliased fields per operation (`TOO_MANY_ALIASES`)",
  }),
  MAX_DIRECTIVES: integer({
    default: 30,
    min: 0,
    max: 10_000,
    description: "directives per operation (`TOO_MANY_DIRECTIVES`)",
  }),
  MAX_TOKENS: integer({
    default: 3000,
    min: 100,
    max: 1_000_000,
    description: "lexical tokens per operation, checked while parsing (`QUERY_TOO_LARGE`)",
  }),
  MAX_COST: integer({
    default: 100_000,
    min: 1,
    max: 1_000_000_000_000,
    description:
      "estimated fields an answer may hold: each list field multiplies by its page size, or by 10 (`QUERY_TOO_COMPLEX`)",
  }),
  MAX_ENTITIES: integer({
    default: 1000,
    min: 1,
    max: 100_000,
    description: "representations per `_entities` call a subgraph resolves (`BAD_USER_INPUT`)",
  }),
  MAX_MUTATION_FIELDS: integer({
    default: 20,
    min: 1,
    max: 10_000,
    description:
      "root fields of one mutation operation, aliases included; each is its own write (`TOO_MANY_MUTATIONS`)",
  }),
  MAX_BODY_BYTES: integer({
    default: 100_000,
    min: 1000,
    max: 100_000_000,
    description: "request body size (`PAYLOAD_TOO_LARGE`, HTTP 413)",
  }),
  CORS_ORIGINS: text({
    defaultText: "none (no CORS headers)",
    description:
      "comma-separated origins a browser storefront may call from, e.g. `https://shop.example`; `*` (any) only outside production",
  }),
} satisfies Record<string, Setting<unknown>>;
