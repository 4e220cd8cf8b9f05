import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { TIMEOUT_HEADER } from "@emshop/common/request-signal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "../support/graphql-client";
import { type Stack, startStack } from "../support/stack";

describe("the gateway's deadline travels to the subgraphs", () => {
  let stack: Stack;
  const received: { service: string; timeout: string | undefined }[] = [];
  const recorder: ApolloServerPlugin<BaseContext> = {
    async requestDidStart({ request }) {
      const service = request.query?.includes("_entities") ? "inventory" : "goods-or-mutation";
      received.push({ service, timeout: request.http?.headers.get(TIMEOUT_HEADER) });
    },
  };
  beforeAll(async () => {
    stack = await startStack({ queryTimeoutMs: 1500, mutationTimeoutMs: 9000, subgraphPlugins: [recorder] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("queries carry the query timeout, mutations the mutation timeout", async () => {
    received.length = 0;
    const list = await gql(stack.url, "{ goodsList(pageSize: 2) { items { id stocks } } }");
    expect(list.errors).toBeUndefined();
    expect(received.map((r) => r.timeout)).toEqual(["1500", "1500"]);
    received.length = 0;
    const adjusted = await gql(stack.url, 'mutation { adjustStock(goodsId: "1", delta: 1, reason: "t") { stocks } }');
    expect(adjusted.errors).toBeUndefined();
    expect(received.map((r) => r.timeout)).toEqual(["9000"]);
  });
});
