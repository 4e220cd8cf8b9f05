import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../support/stack";
import { token } from "../support/tokens";

const JSON_TYPE = "application/json";
const GRAPHQL_RESPONSE = "application/graphql-response+json";
const aliased = (n: number, field: string) => Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ");

interface RequestError {
  name: string;
  body: Record<string, unknown>;
  code: string;
  admin?: boolean;
}

/** Request errors (the operation never executes) every service must answer alike; some depend on the schema. */
function requestErrors(service: "gateway" | "goods" | "inventory"): RequestError[] {
  const mutation = service === "inventory" ? 'rebackStock(orderSn: "RE-1") { status }' : 'deleteBrand(id: "999999")';
  const infinity =
    service === "inventory"
      ? '{ _entities(representations: [{ __typename: "Goods", id: 1e400 }]) { __typename } }'
      : "{ goodsList(filter: { priceMin: 1e400 }) { total } }";
  return [
    { name: "parse error", body: { query: "{ goodsList(" }, code: "GRAPHQL_PARSE_FAILED" },
    { name: "unknown field", body: { query: "{ nope }" }, code: "GRAPHQL_VALIDATION_FAILED" },
    {
      name: "variable of the wrong type",
      body: { query: "query ($n: Boolean!) { __typename @include(if: $n) }", variables: { n: "x" } },
      code: "BAD_USER_INPUT",
    },
    {
      name: "unknown operationName",
      body: { query: "query A { __typename }", operationName: "B" },
      code: "OPERATION_RESOLUTION_FAILURE",
    },
    {
      name: "several operations, no operationName",
      body: { query: "query A { __typename } query B { __typename }" },
      code: "OPERATION_RESOLUTION_FAILURE",
    },
    {
      name: "two anonymous operations",
      body: { query: "{ __typename } { __typename }" },
      code: "GRAPHQL_VALIDATION_FAILED",
    },
    { name: "a subscription", body: { query: "subscription { __typename }" }, code: "GRAPHQL_VALIDATION_FAILED" },
    { name: "Float literal 1e400", body: { query: infinity }, code: "GRAPHQL_VALIDATION_FAILED" },
    { name: "31 aliases", body: { query: `{ ${aliased(31, "__typename")} }` }, code: "TOO_MANY_ALIASES" },
    {
      name: "21 root mutation fields",
      body: { query: `mutation { ${aliased(21, mutation)} }` },
      code: "TOO_MANY_MUTATIONS",
      admin: true,
    },
    {
      name: "a 50,000-character operationName",
      body: { query: "query A { __typename }", operationName: "x".repeat(50_000) },
      code: "BAD_REQUEST",
    },
  ];
}

describe("request errors: coded, with the GraphQL-over-HTTP status, never 500", () => {
  let stack: Stack;
  let adminToken: string;
  beforeAll(async () => {
    stack = await startStack({ seed: false });
    adminToken = await token({ subject: "request-errors" });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  const urlOf = (service: string) =>
    service === "gateway" ? stack.url : service === "goods" ? stack.goods.url : stack.inventory.url;

  async function send(service: string, error: RequestError, accept: string) {
    const response = await fetch(urlOf(service), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept,
        ...(error.admin ? { authorization: `Bearer ${adminToken}` } : {}),
      },
      body: JSON.stringify(error.body),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get("content-type") ?? "", text, body: JSON.parse(text) };
  }

  describe.each(["gateway", "goods", "inventory"] as const)("%s", (service) => {
    it.each(requestErrors(service).map((error) => [error.name, error] as const))(
      "%s: 200 with application/json (400 if not well-formed), 400 with application/graphql-response+json",
      async (_name, error) => {
        const asJson = await send(service, error, JSON_TYPE);
        const codes = new Set(asJson.body.errors?.map((e: { extensions?: { code?: string } }) => e.extensions?.code));
        expect([...codes]).toEqual([error.code]);
        expect(asJson.body.data).toBeUndefined();
        // A request that is not well-formed (BAD_REQUEST) is 400 whatever the client accepts.
        const jsonStatus = error.code === "BAD_REQUEST" ? 400 : 200;
        expect([asJson.status, asJson.type]).toEqual([jsonStatus, "application/json; charset=utf-8"]);
        const asGraphQL = await send(service, error, GRAPHQL_RESPONSE);
        expect(asGraphQL.body.errors?.[0]?.extensions?.code).toBe(error.code);
        expect([asGraphQL.status, asGraphQL.type]).toEqual([400, "application/graphql-response+json; charset=utf-8"]);
        // Nothing unbounded the client sent comes back.
        expect(asJson.text.length).toBeLessThan(2000);
      },
    );
  });

  it("20 root mutation fields are one request's limit, not over it", async () => {
    const response = await send(
      "gateway",
      {
        name: "20",
        body: { query: `mutation { ${aliased(20, 'deleteBrand(id: "999999")')} }` },
        code: "",
        admin: true,
      },
      JSON_TYPE,
    );
    const codes = new Set(response.body.errors?.map((e: { extensions?: { code?: string } }) => e.extensions?.code));
    expect([...codes]).toEqual(["NOT_FOUND"]); // executed: each field answered for itself
  });
});
