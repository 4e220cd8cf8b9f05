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
const goodsInput = (fields: Record<string, unknown>) => ({
  query: "mutation ($i: CreateGoodsInput!) { createGoods(input: $i) { id } }",
  variables: {
    i: {
      goodsSn: "SWEEP-G",
      name: "n",
      brief: "bbb",
      marketPrice: 1,
      shopPrice: 1,
      frontImage: "https://i/x.png",
      categoryId: "1",
      brandId: "1",
      ...fields,
    },
  },
});
const search = (keywords: string) => ({
  query: "query ($k: String) { goodsList(filter: { keywords: $k }) { total items { id } } }",
  variables: { k: keywords },
});
const movementsAfter = (inside: string) => ({
  query: `{ stockMovements(goodsId: "1", after: "${Buffer.from(inside).toString("base64url")}") { items { id } } }`,
});
const entities = (n: number) => ({
  query: "query ($r: [_Any!]!) { _entities(representations: $r) { ... on Goods { id } } }",
  variables: { r: Array.from({ length: n }, (_, i) => ({ __typename: "Goods", id: String(i + 1) })) },
});
/** A selection that doubles at every level through fragments: 2^16 leaf fields from a few hundred bytes. */
const fragmentBomb = () => {
  const levels = 16;
  const fragments = Array.from(
    { length: levels },
    (_, i) => `fragment F${i} on Category { children { ...F${i + 1} } brands { id } parent { ...F${i + 1} } }`,
  ).join(" ");
  return `{ categories { ...F0 } } ${fragments} fragment F${levels} on Category { id }`;
};
const noMatch = (body: { data?: unknown }) => {
  const total = (body.data as { goodsList?: { total?: number } } | undefined)?.goodsList?.total;
  if (total !== 0) throw new Error(`a keyword must match literally; this one matched ${total} goods`);
};

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

  // ——— Issue 14's classes, each with cases of its own, on the gateway and the subgraphs directly ———
  // Fan-out bombs: refused by the cost estimate before anything runs.
  {
    name: "fan-out bomb (children/parent × 10) to goods directly",
    target: "goods",
    query: `{ category(id: "1") { ${"children { parent { ".repeat(10)}id${" } }".repeat(10)} } }`,
    codes: LIMITS,
  },
  {
    name: "fan-out within the depth limit (children/parent × 5)",
    query: `{ category(id: "1") { ${"children { parent { ".repeat(5)}id${" } }".repeat(5)} } }`,
    codes: ["QUERY_TOO_COMPLEX"],
  },
  {
    name: "fan-out within the depth limit to goods directly",
    target: "goods",
    query: `{ categories { ${"children { parent { ".repeat(5)}id${" } }".repeat(5)} } }`,
    codes: ["QUERY_TOO_COMPLEX"],
  },
  { name: "fragments doubling 16 times", query: fragmentBomb(), codes: LIMITS },
  { name: "fragments doubling 16 times to goods directly", target: "goods", query: fragmentBomb(), codes: LIMITS },
  {
    name: "20 aliases of the category tree with brands",
    query: aliases(20, "categories { children { children { brands { id name logo } } } }"),
    codes: ["QUERY_TOO_COMPLEX"],
  },
  // Aliased mutations: a few writes per request at most.
  {
    name: "21 aliased adjustStock",
    as: "admin",
    query: `mutation { ${Array.from({ length: 21 }, (_, i) => `a${i}: adjustStock(goodsId: "1", delta: 1, reason: "sweep") { stocks }`).join(" ")} }`,
    codes: ["TOO_MANY_MUTATIONS"],
  },
  {
    name: "21 aliased createBrand to goods directly",
    as: "admin",
    target: "goods",
    query: `mutation { ${Array.from({ length: 21 }, (_, i) => `b${i}: createBrand(input: { name: "Sweep ${i}" }) { id }`).join(" ")} }`,
    codes: ["TOO_MANY_MUTATIONS"],
  },
  {
    name: "21 aliased sellStock to inventory directly",
    as: "orders",
    target: "inventory",
    query: `mutation { ${Array.from({ length: 21 }, (_, i) => `s${i}: sellStock(orderSn: "SW-A-${i}", items: [{ goodsId: "1", num: 1 }]) { status }`).join(" ")} }`,
    codes: ["TOO_MANY_MUTATIONS"],
  },
  {
    name: "21 mutations hidden in fragments",
    as: "admin",
    query: `mutation { ...M ...M2 } fragment M on Mutation { ${Array.from({ length: 11 }, (_, i) => `m${i}: rebackStock(orderSn: "SW-F-${i}") { status }`).join(" ")} } fragment M2 on Mutation { ${Array.from({ length: 10 }, (_, i) => `n${i}: rebackStock(orderSn: "SW-G-${i}") { status }`).join(" ")} }`,
    codes: ["TOO_MANY_MUTATIONS", "TOO_MANY_ALIASES"],
  },
  {
    name: "3,000 aliased adjustStock",
    as: "admin",
    query: `mutation { ${Array.from({ length: 3000 }, (_, i) => `a${i}: adjustStock(goodsId: "1", delta: 1, reason: "x") { stocks }`).join(" ")} }`,
    codes: LIMITS,
    statuses: [413],
  },
  // Long strings and work nobody waits for.
  { name: "keywords of 101 characters", ...search("k".repeat(101)), codes: INPUT },
  {
    name: "keywords of 90,000 characters to goods directly",
    target: "goods",
    ...search("k".repeat(90_000)),
    codes: INPUT,
  },
  { name: "keywords of 500,000 characters", ...search("k".repeat(500_000)), statuses: [413] },
  {
    name: "5,000 aliased goodsList(pageSize: 100)",
    query: aliases(5000, "goodsList(pageSize: 100) { total }"),
    codes: LIMITS,
    statuses: [413],
  },
  // _entities: capped, and the cap bounds the inventory query.
  { name: "_entities with 1,001 representations to inventory", target: "inventory", ...entities(1001), codes: INPUT },
  { name: "_entities with 1,001 representations to goods", target: "goods", ...entities(1001), codes: INPUT },
  {
    name: "_entities with 30,000 representations to inventory",
    target: "inventory",
    ...entities(30_000),
    statuses: [413],
  },
  // NUL bytes, in any string argument of any service.
  { name: "NUL in a goods name", as: "admin", ...goodsInput({ name: "Ket\u0000tle" }), codes: INPUT },
  { name: "NUL in a goodsSn", as: "admin", ...goodsInput({ goodsSn: "SN\u0000" }), codes: INPUT },
  {
    name: "NUL in a description to goods directly",
    as: "admin",
    target: "goods",
    ...goodsInput({ description: "a\u0000b" }),
    codes: INPUT,
  },
  {
    name: "NUL in a brand name to goods directly",
    as: "admin",
    target: "goods",
    query: 'mutation { createBrand(input: { name: "Ev\\u0000il" }) { id } }',
    codes: INPUT,
  },
  {
    name: "NUL in an orderSn to inventory directly",
    as: "orders",
    target: "inventory",
    ...sell([{ goodsId: "1", num: 1 }], "S\u0000N"),
    codes: INPUT,
  },
  { name: "NUL in search keywords", ...search("tea\u0000"), codes: INPUT },
  // Malformed cursors.
  { name: "cursor beyond int64", as: "admin", ...movementsAfter("movement:9999999999999999999"), codes: INPUT },
  {
    name: "cursor of a negative id to inventory directly",
    as: "admin",
    target: "inventory",
    ...movementsAfter("movement:-5"),
    codes: INPUT,
  },
  {
    name: "a 10,000-character cursor",
    as: "admin",
    query: `{ stockMovements(goodsId: "1", after: "${"A".repeat(10_000)}") { items { id } } }`,
    codes: INPUT,
  },
  // Client mistakes: coded, never 500.
  {
    name: "unknown operationName",
    raw: { body: JSON.stringify({ query: "query A { __typename }", operationName: "B" }) },
    codes: ["OPERATION_RESOLUTION_FAILURE"],
  },
  {
    name: "unknown operationName to goods directly",
    target: "goods",
    raw: { body: JSON.stringify({ query: "query A { __typename }", operationName: "B" }) },
    codes: ["OPERATION_RESOLUTION_FAILURE"],
  },
  { name: "two anonymous operations", query: "{ __typename } { __typename }", codes: ["GRAPHQL_VALIDATION_FAILED"] },
  { name: "a subscription", query: "subscription { __typename }", codes: ["GRAPHQL_VALIDATION_FAILED"] },
  {
    name: "a subscription to inventory directly",
    target: "inventory",
    query: "subscription { __typename }",
    codes: ["GRAPHQL_VALIDATION_FAILED"],
  },
  {
    name: "Float literal 1e400",
    query: "{ goodsList(filter: { priceMin: 1e400 }) { total } }",
    codes: ["GRAPHQL_VALIDATION_FAILED"],
  },
  {
    name: "Float literal 1e400 in a representation to inventory directly",
    target: "inventory",
    query: '{ _entities(representations: [{ __typename: "Goods", id: 1e400 }]) { __typename } }',
    codes: ["GRAPHQL_VALIDATION_FAILED"],
  },
  // LIKE wildcards are literal characters: none of the demo goods has them in its name.
  { name: "keyword %", ...search("%"), check: noMatch },
  { name: "keyword _", ...search("_"), check: noMatch },
  { name: "keyword \\ to goods directly", target: "goods", ...search("\\"), check: noMatch },
  // Values that would be stored changed.
  { name: "shopPrice 0.001", as: "admin", ...goodsInput({ shopPrice: 0.001 }), codes: INPUT },
  {
    name: "marketPrice 19.999 to goods directly",
    as: "admin",
    target: "goods",
    ...goodsInput({ marketPrice: 19.999 }),
    codes: INPUT,
  },
  { name: "shopPrice 1e-7", as: "admin", ...goodsInput({ shopPrice: 1e-7 }), codes: INPUT },
  // Unbounded input, unbounded echo.
  {
    name: "description of 20,001 characters",
    as: "admin",
    ...goodsInput({ description: "d".repeat(20_001) }),
    codes: INPUT,
  },
  {
    name: "51 images",
    as: "admin",
    ...goodsInput({ images: Array.from({ length: 51 }, (_, i) => `https://i/${i}.png`) }),
    codes: INPUT,
  },
  {
    name: "a 50,000-character operationName",
    raw: { body: JSON.stringify({ query: "query A { __typename }", operationName: "x".repeat(50_000) }) },
    codes: ["BAD_REQUEST"],
  },
  {
    name: "a 50,000-character operationName to inventory directly",
    target: "inventory",
    raw: { body: JSON.stringify({ query: "query A { __typename }", operationName: "x".repeat(50_000) }) },
    codes: ["BAD_REQUEST"],
  },
  // Exposure in production: no schema hints, no introspection, on every service.
  { name: "a misspelt field (no suggestion)", query: "{ goodz { id } }", codes: ["GRAPHQL_VALIDATION_FAILED"] },
  {
    name: "a misspelt field to goods directly",
    target: "goods",
    query: "{ categoriez { id } }",
    codes: ["GRAPHQL_VALIDATION_FAILED"],
  },
  {
    name: "a misspelt field to inventory directly",
    target: "inventory",
    query: '{ stockSel(orderSn: "x") { status } }',
    codes: ["GRAPHQL_VALIDATION_FAILED"],
  },
  {
    name: "introspection to inventory directly",
    target: "inventory",
    query: "{ __schema { types { name } } }",
    codes: ["GRAPHQL_VALIDATION_FAILED"],
  },
];
