import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "../support/graphql-client";
import { type Stack, startStack } from "../support/stack";

const PAGE = `query Page($page: Int!, $filter: GoodsFilter) {
  goodsList(page: $page, pageSize: 4, filter: $filter) { total items { id name stocks } }
}`;
const DETAIL = `query Detail($id: ID!) { goods(id: $id) { id name brand { name } stocks } }`;

describe("root queries of concurrent requests, batched by the gateway (real subgraphs)", () => {
  let stack: Stack;
  /** HTTP requests reaching goods' /graphql (a batch is one). */
  let goodsCalls = 0;
  beforeAll(async () => {
    stack = await startStack();
    stack.goods.httpServer.on("request", (req) => {
      if (req.url?.startsWith("/graphql")) goodsCalls++;
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const requests: [string, Record<string, unknown>][] = [
    ...[1, 2, 3, 4, 5].map((page): [string, Record<string, unknown>] => [PAGE, { page }]),
    ...[1, 2].map((page): [string, Record<string, unknown>] => [PAGE, { page, filter: { isHot: true } }]),
    ...["1", "2", "3", "4", "5", "6"].map((id): [string, Record<string, unknown>] => [DETAIL, { id }]),
  ];

  it("answers every concurrent request as it is answered alone, in fewer goods calls than requests", async () => {
    const alone: unknown[] = [];
    for (const [query, variables] of requests) {
      const answer = await gql(stack.url, query, variables);
      expect(answer.errors).toBeUndefined();
      alone.push(answer.data);
    }
    expect(goodsCalls).toBe(requests.length);

    // A first concurrent round opens the client's connections; the second sends on all of them at
    // once, so the gateway reads the requests in one turn (as under load) rather than connect by connect.
    await Promise.all(requests.map(([query, variables]) => gql(stack.url, query, variables)));
    goodsCalls = 0;
    const together = await Promise.all(requests.map(([query, variables]) => gql(stack.url, query, variables)));
    together.forEach((answer, index) => {
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual(alone[index]);
    });
    console.log(`operation batches e2e: ${requests.length} concurrent requests → ${goodsCalls} goods calls`);
    expect(goodsCalls).toBeLessThan(requests.length);
  });
});
