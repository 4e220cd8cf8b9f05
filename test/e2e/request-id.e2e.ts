import { randomBytes } from "node:crypto";
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { startGatewayService } from "@emshop/gateway/main";
import { startGoodsService } from "@emshop/goods/main";
import { startInventoryService } from "@emshop/inventory/main";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { seedTestData } from "../support/seed";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { as } from "../support/tokens";

const QUERY = "{ goodsList(pageSize: 3) { items { id stocks } } }";

interface Seen {
  requestId: string | undefined;
  authorization: string | undefined;
  actor: string | undefined;
}

/** An Apollo plugin that records the tracing headers of every request a subgraph gets. */
function recorder(seen: Seen[]): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart({ request }) {
      seen.push({
        requestId: request.http?.headers.get("x-request-id"),
        authorization: request.http?.headers.get("authorization"),
        actor: request.http?.headers.get("x-actor"),
      });
    },
  };
}

describe("x-request-id and the bearer token reach every subgraph; x-actor does not", () => {
  const quiet = () => undefined;
  const seenByGoods: Seen[] = [];
  const seenByInventory: Seen[] = [];
  let databases: TestDatabase[] = [];
  let goods: Awaited<ReturnType<typeof startGoodsService>>;
  let inventory: Awaited<ReturnType<typeof startInventoryService>>;
  let gateway: Awaited<ReturnType<typeof startGatewayService>>;

  beforeAll(async () => {
    databases = [await createTestDatabase("request_id_goods"), await createTestDatabase("request_id_inventory")];
    const [goodsDb, inventoryDb] = databases as [TestDatabase, TestDatabase];
    goods = await startGoodsService({
      port: 0,
      database: { url: goodsDb.url },
      log: quiet,
      demoData: false,
      plugins: [recorder(seenByGoods)],
    });
    inventory = await startInventoryService({
      port: 0,
      database: { url: inventoryDb.url },
      log: quiet,
      demoData: false,
      plugins: [recorder(seenByInventory)],
    });
    await seedTestData(goods.db, inventory.db);
    gateway = await startGatewayService({ port: 0, subgraphUrls: { goods: goods.url, inventory: inventory.url } });
  });
  beforeEach(() => {
    seenByGoods.length = 0;
    seenByInventory.length = 0;
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.allSettled([goods?.stop(), inventory?.stop()]);
    await Promise.allSettled(databases.map((db) => db.drop()));
  });

  async function post(query: string, headers: Record<string, string> = {}) {
    const response = await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: asserted field by field below.
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  it("passes the client's x-request-id and Authorization to both subgraphs, unchanged, and no x-actor", async () => {
    const requestId = `test-${randomBytes(8).toString("hex")}`;
    const { authorization } = await as("admin", "alice@shop.test");
    const data = await post(QUERY, {
      "x-request-id": requestId,
      authorization: authorization ?? "",
      "x-actor": "mallory",
    });
    // The query did touch both subgraphs.
    expect(data.goodsList.items).toHaveLength(3);
    for (const item of data.goodsList.items) expect(item.stocks).toEqual(expect.any(Number));

    expect(seenByGoods).toEqual([{ requestId, authorization, actor: undefined }]);
    expect(seenByInventory).toEqual([{ requestId, authorization, actor: undefined }]);
  });

  it("invents nothing when the client sends neither header", async () => {
    const data = await post(QUERY);
    expect(data.goodsList.items).toHaveLength(3);
    expect(seenByGoods).toEqual([{ requestId: undefined, authorization: undefined, actor: undefined }]);
    expect(seenByInventory).toEqual([{ requestId: undefined, authorization: undefined, actor: undefined }]);
  });

  it("keeps requests apart: each subgraph call carries its own client's id", async () => {
    const ids = Array.from({ length: 4 }, (_, i) => `test-${i}-${randomBytes(6).toString("hex")}`);
    await Promise.all(ids.map((id) => post(QUERY, { "x-request-id": id })));
    expect(seenByGoods.map((seen) => seen.requestId).sort()).toEqual([...ids].sort());
    expect(seenByInventory.map((seen) => seen.requestId).sort()).toEqual([...ids].sort());
  });

  it("cuts an overlong header to 200 characters", async () => {
    const requestId = `test-${"x".repeat(300)}`;
    await post(QUERY, { "x-request-id": requestId });
    expect(seenByGoods).toEqual([{ requestId: requestId.slice(0, 200), authorization: undefined, actor: undefined }]);
    expect(seenByInventory).toEqual([
      { requestId: requestId.slice(0, 200), authorization: undefined, actor: undefined },
    ]);
  });

  it("carries them on mutations too: inventory records the token's subject as the actor", async () => {
    const requestId = `test-${randomBytes(8).toString("hex")}`;
    const bob = await as("admin", "bob@shop.test");
    const data = await post(`mutation { adjustStock(goodsId: "2", delta: 1, reason: "request-id test") { goodsId } }`, {
      "x-request-id": requestId,
      "x-actor": "mallory",
      ...bob,
    });
    expect(data.adjustStock).toEqual({ goodsId: "2" });
    expect(seenByInventory).toEqual([{ requestId, authorization: bob.authorization, actor: undefined }]);
    expect(seenByGoods).toEqual([]);
    const ledger = await post(`{ stockMovements(goodsId: "2", first: 1) { items { kind reason actor } } }`, bob);
    expect(ledger.stockMovements.items).toEqual([
      { kind: "ADJUST", reason: "request-id test", actor: "bob@shop.test (admin)" },
    ]);
  });
});
