import { DEFAULT_LIMITS } from "@emshop/common/limits/options";
import { startGatewayService } from "@emshop/gateway/main";
import { startGoodsService } from "@emshop/goods/main";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { gql } from "../support/graphql-client";
import { quietLogger } from "../support/logs";
import { type Stack, startStack } from "../support/stack";
import { anonymousHeaders } from "../support/tokens";

const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ")} }`;
/** `depth` fields deep through single-valued `parent` links, so only the depth grows, not the cost. */
const nested = (depth: number) =>
  `{ category(id: "30") { ${"parent { ".repeat(depth - 2)}id${" }".repeat(depth - 2)} } }`;

/** Each limit: an operation just under it, one just over it, and the code the refusal carries. */
const LIMITS: [string, string, string, string][] = [
  [
    "aliases",
    aliases(DEFAULT_LIMITS.maxAliases, "banners { id }"),
    aliases(DEFAULT_LIMITS.maxAliases + 1, "banners { id }"),
    "TOO_MANY_ALIASES",
  ],
  ["depth", nested(DEFAULT_LIMITS.maxDepth), nested(DEFAULT_LIMITS.maxDepth + 1), "QUERY_TOO_DEEP"],
  [
    "directives",
    `{ banners { ${"id @include(if: true) ".repeat(DEFAULT_LIMITS.maxDirectives)} } }`,
    `{ banners { ${"id @include(if: true) ".repeat(DEFAULT_LIMITS.maxDirectives + 1)} } }`,
    "TOO_MANY_DIRECTIVES",
  ],
  [
    "cost",
    // 5 aliases × a 100-goods page: about 5 × (2 + 100 × 10) fields, well under the limit.
    aliases(
      5,
      "goodsList(pageSize: 100) { total items { id name shopPrice stocks category { id name } brand { id name } } }",
    ),
    // A 100-goods page, each with its category's subtree and brands: ~100 × 2,100 fields.
    "{ goodsList(pageSize: 100) { items { category { children { children { brands { id } } } } } } }",
    "QUERY_TOO_COMPLEX",
  ],
];

describe("abuse limits", () => {
  let stack: Stack;
  let subgraphRequests = 0;
  beforeAll(async () => {
    stack = await startStack({
      subgraphPlugins: [
        {
          async requestDidStart() {
            subgraphRequests++;
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(() => {
    subgraphRequests = 0;
  });

  describe.each(LIMITS)("%s", (_limit, under, over, code) => {
    it("just under: answered", async () => {
      const result = await gql(stack.url, under, undefined, anonymousHeaders);
      expect(result.errors).toBeUndefined();
      expect(result.status).toBe(200);
    });

    it(`just over: ${code} at the gateway, quickly, without reaching a subgraph`, async () => {
      const started = performance.now();
      const result = await gql(stack.url, over, undefined, anonymousHeaders);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(result.errors?.map((error) => error.extensions?.code)).toEqual([code]);
      // A request error answered as application/json: 200, as GraphQL over HTTP says (test/limits/request-errors.e2e.ts).
      expect(result.status).toBe(200);
      expect(subgraphRequests).toBe(0);
    });

    it(`just over, sent to a subgraph directly: ${code} there too`, async () => {
      const result = await gql(stack.goods.url, over, undefined, anonymousHeaders);
      expect(result.errors?.map((error) => error.extensions?.code)).toEqual([code]);
    });
  });

  it("counts tokens while parsing: just under is answered, just over is QUERY_TOO_LARGE, at the gateway and in a subgraph", async () => {
    // A list literal of representations, 8 tokens each ({ __typename : "Goods" id : "1" }; commas are not tokens).
    const entities = (n: number) =>
      `{ _entities(representations: [${Array.from({ length: n }, (_, i) => `{ __typename: "Goods", id: "${i + 1}" }`).join(" ")}]) { ... on Goods { stocks } } }`;
    const perRepresentation = 8;
    const fixed = 16;
    const under = entities(Math.floor((DEFAULT_LIMITS.maxTokens - fixed) / perRepresentation) - 3);
    const over = entities(Math.ceil((DEFAULT_LIMITS.maxTokens - fixed) / perRepresentation) + 2);
    const answered = await gql(stack.inventory.url, under, undefined, anonymousHeaders);
    expect(answered.errors).toBeUndefined();
    for (const url of [stack.inventory.url, stack.url]) {
      subgraphRequests = 0;
      const started = performance.now();
      const refused = await gql(url, over, undefined, anonymousHeaders);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(["QUERY_TOO_LARGE"]);
    }
    expect(subgraphRequests).toBe(0); // the gateway's refusal reached no subgraph
  });

  it("the inventory subgraph takes at most MAX_ENTITIES representations per _entities call", async () => {
    const query = "query ($r: [_Any!]!) { _entities(representations: $r) { ... on Goods { stocks } } }";
    const reps = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: "Goods", id: String(i + 1) }));
    // Cost 2 per representation here, so the entity cap (not the cost limit) is what is tested.
    const ok = await gql(stack.inventory.url, query, { r: reps(DEFAULT_LIMITS.maxEntities) }, anonymousHeaders);
    expect(ok.errors).toBeUndefined();
    const refused = await gql(
      stack.inventory.url,
      query,
      { r: reps(DEFAULT_LIMITS.maxEntities + 1) },
      anonymousHeaders,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("a body over MAX_BODY_BYTES is a 413 with a coded JSON error, not an HTML page", async () => {
    const body = JSON.stringify({
      query: "{ __typename }",
      variables: { pad: "x".repeat(DEFAULT_LIMITS.maxBodyBytes) },
    });
    for (const url of [stack.url, stack.goods.url, stack.inventory.url]) {
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      expect(response.status).toBe(413);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({
        errors: [
          {
            message: "the request body is larger than this service accepts",
            extensions: { code: "PAYLOAD_TOO_LARGE" },
          },
        ],
      });
    }
  });

  it("GET runs queries with no special header, never mutations (test/http/ covers the rest)", async () => {
    const get = (query: string) => fetch(`${stack.url}?query=${encodeURIComponent(query)}`);
    expect((await get("{ banners { id } }")).status).toBe(200);
    const mutation = await get('mutation { rebackStock(orderSn: "GET-1") { status } }');
    expect(mutation.status).toBe(405);
  });

  it("batched (array) requests are off", async () => {
    const response = await fetch(stack.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ query: "{ __typename }" }, { query: "{ __typename }" }]),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
  });

  describe("production mode", () => {
    let production: Awaited<ReturnType<typeof startGatewayService>>;
    beforeAll(async () => {
      production = await startGatewayService({
        logger: quietLogger(),
        port: 0,
        subgraphUrls: { goods: stack.goods.url, inventory: stack.inventory.url },
        production: true,
        limits: { ...DEFAULT_LIMITS, corsOrigins: ["https://shop.example"] },
      });
    });
    afterAll(async () => {
      await production?.stop();
    });

    it("refuses introspection and suggests no field names; development keeps both", async () => {
      const schema = await gql(production.url, "{ __schema { types { name } } }", undefined, anonymousHeaders);
      expect(schema.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
      const typo = await gql(production.url, "{ goodsLis { total } }", undefined, anonymousHeaders);
      expect(typo.errors?.[0]?.message).not.toContain("Did you mean");
      expect(
        (await gql(stack.url, "{ __schema { types { name } } }", undefined, anonymousHeaders)).errors,
      ).toBeUndefined();
      const devTypo = await gql(stack.url, "{ goodsLis { total } }", undefined, anonymousHeaders);
      expect(devTypo.errors?.[0]?.message).toContain("Did you mean");
    });

    it("a subgraph in production mode refuses introspection too (it is reachable directly)", async () => {
      const goods = await startGoodsService({
        port: 0,
        database: { url: stack.databaseUrls.goods },
        logger: quietLogger(),
        demoData: false,
        production: true,
      });
      try {
        const schema = await gql(goods.url, "{ __schema { types { name } } }", undefined, anonymousHeaders);
        expect(schema.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
        const typo = await gql(goods.url, "{ goodsLis { total } }", undefined, anonymousHeaders);
        expect(typo.errors?.[0]?.message).not.toContain("Did you mean");
        // Federation's own fields still work: the gateway needs them, not introspection.
        expect((await gql(goods.url, "{ _service { sdl } }", undefined, anonymousHeaders)).errors).toBeUndefined();
      } finally {
        await goods.stop();
      }
    });

    it("answers CORS preflights for configured origins only", async () => {
      const preflight = (origin: string) =>
        fetch(production.url, {
          method: "OPTIONS",
          headers: {
            origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
          },
        });
      const allowed = await preflight("https://shop.example");
      expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.example");
      const other = await preflight("https://evil.example");
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
      // Without configured origins (the default) no CORS headers at all.
      const none = await fetch(stack.url, {
        method: "OPTIONS",
        headers: { origin: "https://shop.example", "access-control-request-method": "POST" },
      });
      expect(none.headers.get("access-control-allow-origin")).toBeNull();
    });
  });
});
