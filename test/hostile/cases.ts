/**
 * The hostile-input sweep's cases: malformed or hostile requests an attacker
 * (or a buggy client) sends. Each names the codes (or HTTP statuses) that are
 * acceptable answers; any of them must come with a JSON body, and none may
 * change a row (test/hostile/sweep.e2e.ts checks both databases).
 */
export type Caller = "anonymous" | "admin" | "orders" | "expired" | "garbage";

/** Which service a case is sent to: the gateway, or a subgraph directly (subgraphs are reachable too). */
export type Target = "gateway" | "goods" | "inventory";

export interface HostileCase {
  name: string;
  /** Who sends it (default anonymous). */
  as?: Caller;
  /** Where it goes (default the gateway). */
  target?: Target;
  /** A GraphQL operation POSTed as JSON … */
  query?: string;
  variables?: Record<string, unknown>;
  /** … or a raw HTTP request. */
  raw?: { method?: string; contentType?: string; body?: string; path?: string; headers?: Record<string, string> };
  /** Acceptable `extensions.code`s (one of them must be present) … */
  codes?: string[];
  /** … or acceptable HTTP statuses for a non-GraphQL refusal (still with a JSON body). */
  statuses?: number[];
  /** For a case whose right answer is data (e.g. a wildcard matching nothing): checks the parsed body. */
  check?: (body: { data?: unknown; errors?: unknown[] }) => void;
}

const INPUT = ["BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"];
const AUTH = ["UNAUTHENTICATED"];
const LIMITS = ["QUERY_TOO_DEEP", "TOO_MANY_ALIASES", "QUERY_TOO_COMPLEX", "QUERY_TOO_LARGE", "TOO_MANY_DIRECTIVES"];
const adjust = (delta: unknown, reason: unknown = "sweep") => ({
  query: 'mutation ($d: Int!, $r: String!) { adjustStock(goodsId: "1", delta: $d, reason: $r) { stocks } }',
  variables: { d: delta, r: reason },
});
const sell = (items: unknown, orderSn: unknown = "SWEEP-1") => ({
  query: "mutation ($o: String!, $i: [StockItemInput!]!) { sellStock(orderSn: $o, items: $i) { status } }",
  variables: { o: orderSn, i: items },
});
const setStock = (variables: Record<string, unknown>) => ({
  query:
    "mutation ($g: ID!, $s: Int!, $v: Int, $q: String) { setStock(goodsId: $g, stocks: $s, expectedVersion: $v, requestId: $q) { stocks } }",
  variables,
});
const batch = (items: unknown) => ({
  query: "mutation ($i: [StockSetInput!]!) { batchSetStocks(items: $i) { stocks } }",
  variables: { i: items },
});
const list = (args: string) => ({ query: `{ goodsList(${args}) { total items { id } } }` });
const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ")} }`;
const nested = (depth: number) => `{ categories { ${"children { ".repeat(depth)}id${" }".repeat(depth)} } }`;
/** A goods id no inventory row has: a sell of it can only fail, never write. */
const NO_STOCK = "987654";

export const hostileCases: HostileCase[] = [
  // Wrong types
  { name: "goodsId as a boolean", as: "admin", ...setStock({ g: true, s: 1 }), codes: INPUT },
  { name: "stocks as a string", as: "admin", ...setStock({ g: "1", s: "10" }), codes: INPUT },
  { name: "delta as a float", as: "admin", ...adjust(1.5), codes: INPUT },
  { name: "required stocks null", as: "admin", ...setStock({ g: "1", s: null }), codes: INPUT },
  { name: "pageSize as a string", query: '{ goodsList(pageSize: "abc") { total } }', codes: INPUT },
  { name: "id as an object", as: "admin", ...setStock({ g: { $gt: 0 }, s: 1 }), codes: INPUT },
  { name: "items not a list of objects", as: "orders", ...sell([1, 2, 3]), codes: INPUT },
  // int32 overflow
  { name: "stocks 2^31", as: "admin", ...setStock({ g: "1", s: 2 ** 31 }), codes: INPUT },
  { name: "delta below -2^31", as: "admin", ...adjust(-(2 ** 31) - 1), codes: INPUT },
  { name: "num 99999999999", as: "orders", ...sell([{ goodsId: "1", num: 99_999_999_999 }]), codes: INPUT },
  { name: "goodsId beyond int32", as: "admin", ...setStock({ g: "99999999999", s: 1 }), codes: INPUT },
  { name: "goods(id) beyond int32", query: '{ goods(id: "99999999999") { id } }', codes: INPUT },
  {
    name: "items adding up beyond int32",
    as: "orders",
    ...sell([
      { goodsId: NO_STOCK, num: 2 ** 31 - 1 },
      { goodsId: NO_STOCK, num: 2 },
    ]),
    codes: INPUT,
  },
  // Negative, zero, huge quantities
  { name: "sell num 0", as: "orders", ...sell([{ goodsId: "1", num: 0 }]), codes: INPUT },
  { name: "sell num -1", as: "orders", ...sell([{ goodsId: "1", num: -1 }]), codes: INPUT },
  { name: "delta 0", as: "admin", ...adjust(0), codes: INPUT },
  { name: "setStock negative", as: "admin", ...setStock({ g: "1", s: -5 }), codes: INPUT },
  { name: "adjust below zero", as: "admin", ...adjust(-(2 ** 31 - 1)), codes: ["INSUFFICIENT_STOCK"] },
  {
    name: "sell more than in stock",
    as: "orders",
    ...sell([{ goodsId: "1", num: 2 ** 31 - 1 }]),
    codes: ["INSUFFICIENT_STOCK"],
  },
  { name: "expectedVersion -1", as: "admin", ...setStock({ g: "1", s: 1, v: -1 }), codes: INPUT },
  { name: "stale expectedVersion", as: "admin", ...setStock({ g: "1", s: 1, v: 999999 }), codes: ["VERSION_CONFLICT"] },
  { name: "pageSize 0", ...list("pageSize: 0"), codes: INPUT },
  { name: "pageSize -1", ...list("pageSize: -1"), codes: INPUT },
  { name: "pageSize 100000", ...list("pageSize: 100000"), codes: [...INPUT, ...LIMITS] },
  { name: "page -3", ...list("page: -3"), codes: INPUT },
  { name: "page beyond int32", ...list("page: 2147483648"), codes: INPUT },
  // Huge floats
  { name: "priceMin 1e308", ...list("filter: { priceMin: 1e308 }"), codes: [...INPUT, "NONE"] },
  {
    name: "priceMax 1e400 (Infinity)",
    query: "query ($p: Float) { goodsList(filter: { priceMax: $p }) { total } }",
    variables: { p: "Infinity" },
    codes: INPUT,
  },
  {
    name: "createGoods price 1e308",
    as: "admin",
    query:
      'mutation { createGoods(input: { goodsSn: "SW-1", name: "n", brief: "b", marketPrice: 1e308, shopPrice: 1e308, frontImage: "https://i/x.png", categoryId: "1", brandId: "1" }) { id } }',
    codes: INPUT,
  },
  // Lists
  { name: "batchSetStocks empty", as: "admin", ...batch([]), codes: INPUT },
  {
    name: "batchSetStocks 1001 items",
    as: "admin",
    ...batch(Array.from({ length: 1001 }, (_, i) => ({ goodsId: String(i + 1), stocks: 1 }))),
    codes: INPUT,
  },
  {
    name: "batchSetStocks duplicate goods",
    as: "admin",
    ...batch([
      { goodsId: "1", stocks: 1 },
      { goodsId: "1", stocks: 2 },
    ]),
    codes: INPUT,
  },
  { name: "sell items empty", as: "orders", ...sell([]), codes: INPUT },
  {
    name: "sell 201 items",
    as: "orders",
    ...sell(Array.from({ length: 201 }, (_, i) => ({ goodsId: String(i + 1), num: 1 }))),
    codes: INPUT,
  },
  {
    name: "sell duplicate items of a goods without stock",
    as: "orders",
    ...sell([
      { goodsId: NO_STOCK, num: 1 },
      { goodsId: NO_STOCK, num: 1 },
    ]),
    codes: ["INSUFFICIENT_STOCK"],
  },
  // Strings
  { name: "reason of 201 characters", as: "admin", ...adjust(1, "r".repeat(201)), codes: INPUT },
  { name: "reason blank", as: "admin", ...adjust(1, "   "), codes: INPUT },
  { name: "reason with a NUL byte", as: "admin", ...adjust(1, "bad\u0000reason"), codes: INPUT },
  {
    name: "orderSn with a NUL byte",
    as: "orders",
    ...sell([{ goodsId: NO_STOCK, num: 1 }], "SO\u0000X"),
    codes: INPUT,
  },
  { name: "orderSn of 65 characters", as: "orders", ...sell([{ goodsId: "1", num: 1 }], "o".repeat(65)), codes: INPUT },
  { name: "orderSn empty", as: "orders", ...sell([{ goodsId: "1", num: 1 }], ""), codes: INPUT },
  {
    name: "emoji orderSn, goods without stock",
    as: "orders",
    ...sell([{ goodsId: NO_STOCK, num: 1 }], "🛒💥"),
    codes: ["INSUFFICIENT_STOCK"],
  },
  { name: "requestId of 101 characters", as: "admin", ...setStock({ g: "1", s: 1, q: "k".repeat(101) }), codes: INPUT },
  { name: "SQL in an id", query: '{ goods(id: "1; DROP TABLE goods; --") { id } }', codes: INPUT },
  {
    name: "SQL in an orderSn",
    as: "orders",
    ...sell([{ goodsId: NO_STOCK, num: 1 }], "' OR 1=1; --"),
    codes: ["INSUFFICIENT_STOCK"],
  },
  { name: "SQL in the search filter", ...list(`filter: { keywords: "%' OR '1'='1" }`), codes: [...INPUT, "NONE"] },
  { name: "1 MB reason string", as: "admin", ...adjust(1, "x".repeat(1_000_000)), statuses: [413] },
  {
    name: "garbage stockMovements cursor",
    as: "admin",
    query: '{ stockMovements(goodsId: "1", after: "bm90LWEtY3Vyc29y") { items { id } } }',
    codes: INPUT,
  },
  {
    name: "stockMovements first 101",
    as: "admin",
    query: '{ stockMovements(goodsId: "1", first: 101) { items { id } } }',
    codes: INPUT,
  },
  // Query shape: depth, aliases, size, directives, fan-out
  { name: "deep nesting (children × 30)", query: nested(30), codes: LIMITS },
  {
    name: "300 aliases of goodsList(pageSize: 100)",
    query: aliases(300, "goodsList(pageSize: 100) { items { stocks } }"),
    codes: LIMITS,
  },
  {
    name: "fan-out bomb (children/parent × 10)",
    query: `{ category(id: "1") { ${"children { parent { ".repeat(10)}id${" } }".repeat(10)} } }`,
    codes: LIMITS,
  },
  {
    name: "categories × brands × 1000 aliases",
    query: aliases(1000, "categories { children { children { brands { id } } } }"),
    codes: LIMITS,
  },
  {
    name: "100,000 tokens",
    query: `{ ${"__typename ".repeat(100_000)} }`,
    codes: [...LIMITS, "NONE"],
    statuses: [413],
  },
  {
    name: "500 directives",
    query: `{ __typename ${"@include(if: true) ".repeat(500)} }`,
    codes: [...LIMITS, ...INPUT],
  },
  // Authentication
  { name: "anonymous adjustStock", ...adjust(1), codes: AUTH },
  { name: "anonymous createGoods", query: 'mutation { createBrand(input: { name: "evil" }) { id } }', codes: AUTH },
  { name: "anonymous stockMovements", query: '{ stockMovements(goodsId: "1") { items { id } } }', codes: AUTH },
  { name: "expired token", as: "expired", ...adjust(1), codes: AUTH },
  { name: "garbage bearer token", as: "garbage", ...adjust(1), codes: AUTH },
  {
    name: "alg none token",
    raw: {
      headers: {
        authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"x","role":"admin","iss":"emshop-dev","aud":"emshop-api","exp":9999999999}').toString("base64url")}.`,
      },
      body: JSON.stringify(adjust(1)),
    },
    codes: AUTH,
  },
  {
    name: "x-actor spoofing without a token",
    raw: { headers: { "x-actor": "admin" }, body: JSON.stringify(adjust(1)) },
    codes: AUTH,
  },
  { name: "order-service setting stock", as: "orders", ...setStock({ g: "1", s: 0 }), codes: ["FORBIDDEN"] },
  {
    name: "order-service deleting a brand",
    as: "orders",
    query: 'mutation { deleteBrand(id: "1") }',
    codes: ["FORBIDDEN"],
  },
  // Transport
  {
    name: "batched array request",
    raw: { body: JSON.stringify([{ query: "{ __typename }" }, { query: "{ __typename }" }]) },
    codes: ["BAD_REQUEST", "BATCHING_NOT_SUPPORTED"],
    statuses: [400],
  },
  {
    name: "10 MB body",
    raw: { body: JSON.stringify({ query: "{ __typename }", variables: { x: "y".repeat(10_000_000) } }) },
    statuses: [413],
  },
  {
    name: "GET mutation",
    raw: {
      method: "GET",
      path: `?query=${encodeURIComponent('mutation { rebackStock(orderSn: "X") { status } }')}`,
      headers: { "apollo-require-preflight": "1" },
    },
    statuses: [405, 400],
  },
  { name: "invalid JSON", raw: { body: '{"query": "{ __typename }"' }, statuses: [400] },
  {
    name: "text/plain body (CSRF)",
    raw: {
      contentType: "text/plain",
      body: JSON.stringify({ query: 'mutation { rebackStock(orderSn: "X") { status } }' }),
    },
    statuses: [400, 415],
  },
  {
    name: "application/json; charset=latin1",
    raw: { contentType: "application/json; charset=latin1", body: JSON.stringify({ query: "{ __typename }" }) },
    statuses: [400, 415],
  },
  { name: "empty body", raw: { body: "" }, statuses: [400] },
  {
    name: "query is a number",
    raw: { body: JSON.stringify({ query: 42 }) },
    codes: ["BAD_REQUEST", "GRAPHQL_PARSE_FAILED"],
    statuses: [400],
  },
  {
    name: "variables is a string",
    raw: { body: JSON.stringify({ query: "{ __typename }", variables: "x" }) },
    codes: ["BAD_REQUEST"],
    statuses: [400],
  },
  { name: "syntax error", query: "{ goodsList(", codes: ["GRAPHQL_PARSE_FAILED"] },
  { name: "unknown field", query: "{ password }", codes: ["GRAPHQL_VALIDATION_FAILED"] },
  {
    name: "two operations, no operationName",
    query: "query A { __typename } query B { __typename }",
    codes: ["BAD_REQUEST", "GRAPHQL_VALIDATION_FAILED", "OPERATION_RESOLUTION_FAILURE"],
  },
];
