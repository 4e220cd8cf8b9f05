import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "../support/graphql-client";
import { type Stack, startStack } from "../support/stack";

const PAGE = `query Page($page: Int!) { goodsList(page: $page, pageSize: 6) { items { id stocks stockStatus } } }`;

interface Item {
  id: string;
  stocks: number | null;
  stockStatus: string | null;
}

/** Counts the `_entities` calls (and the representations in them) that reach the subgraphs. */
function entityCalls() {
  const calls: number[] = [];
  const plugin: ApolloServerPlugin<BaseContext> = {
    async requestDidStart({ request }) {
      const representations = request.variables?.representations;
      if (request.query?.includes("_entities") && Array.isArray(representations)) calls.push(representations.length);
    },
  };
  return { calls, plugin };
}

describe("entity fetches of concurrent requests, combined by the gateway (real subgraphs)", () => {
  let stack: Stack;
  const counted = entityCalls();
  beforeAll(async () => {
    stack = await startStack({ subgraphPlugins: [counted.plugin] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const page = async (n: number) => {
    const answer = await gql<{ goodsList: { items: Item[] } }>(stack.url, PAGE, { page: n });
    expect(answer.errors).toBeUndefined();
    return answer.data?.goodsList.items ?? [];
  };

  it("answers every concurrent page with its own goods' stocks, as one request alone does", async () => {
    // The reference: each page alone, one after the other (no other fetch to combine with).
    const alone: Item[][] = [];
    for (const n of [1, 2, 3, 4, 5]) alone.push(await page(n));
    expect(alone.flat().length).toBe(30);
    expect(alone.flat().every((item) => typeof item.stocks === "number" && item.stockStatus !== null)).toBe(true);
    counted.calls.length = 0;

    // Each page five times, all at once: 25 requests whose entity fetches land in few turns.
    const order = [1, 2, 3, 4, 5].flatMap((n) => [n, n, n, n, n]);
    const together = await Promise.all(order.map((n) => page(n)));
    together.forEach((items, index) => {
      expect(items).toEqual(alone[(order[index] as number) - 1]);
    });
    const representations = counted.calls.reduce((sum, n) => sum + n, 0);
    console.log(
      `entity batches e2e: 25 concurrent pages → ${counted.calls.length} _entities calls carrying ${representations} representations (${JSON.stringify(counted.calls)})`,
    );
    // Identical pages share their goods call, so their entity fetches come in the same turn and are combined.
    expect(counted.calls.length).toBeLessThan(25);
    expect(counted.calls.every((n) => n <= 500)).toBe(true);
  });
});
