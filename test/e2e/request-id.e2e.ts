import { randomBytes } from "node:crypto";
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { startGatewayService } from "@emshop/gateway/main";
import { startGoodsService } from "@emshop/goods/main";
import { startInventoryService } from "@emshop/inventory/main";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { quietLogger } from "../support/logs";
import { seedTestData } from "../support/seed";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { as } from "../support/tokens";

const QUERY = "{ goodsList(pageSize: 3) { items { id stocks } } }";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

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

describe("x-request-id (the caller's when sane, else made at the gateway) and the bearer token reach every subgraph; x-actor does not", () => {
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
      logger: quietLogger(),
      demoData: false,
      plugins: [recorder(seenByGoods)],
    });
    inventory = await startInventoryService({
      port: 0,
      database: { url: inventoryDb.url },
      logger: quietLogger(),
      demoData: false,
      plugins: [recorder(seenByInventory)],
    });
    await seedTestData(goods.db, inventory.db);
    gateway = await startGatewayService({
      port: 0,
      subgraphUrls: { goods: goods.url, inventory: inventory.url },
      logger: quietLogger(),
    });
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

  async function postRaw(query: string, headers: Record<string, string> = {}, url = gateway.url) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(200);
    await response.clone().json();
    return response;
  }

  async function post(query: string, headers: Record<string, string> = {}, url = gateway.url) {
    const response = await postRaw(query, headers, url);
    // The caller's sane id comes back as it was sent.
    if (headers["x-request-id"]) expect(response.headers.get("x-request-id")).toBe(headers["x-request-id"]);
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

  it("makes an id when the client sends none: returned in x-request-id and passed to both subgraphs", async () => {
    const response = await postRaw(QUERY);
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toMatch(UUID);
    expect(seenByGoods).toEqual([{ requestId, authorization: undefined, actor: undefined }]);
    expect(seenByInventory).toEqual([{ requestId, authorization: undefined, actor: undefined }]);
  });

  /** Four concurrent requests for different pages (identical queries would share one call: shared-reads.ts). */
  async function fourPages(prefix: string, url = gateway.url) {
    const ids = Array.from({ length: 4 }, (_, i) => `${prefix}-${i}-${randomBytes(6).toString("hex")}`);
    await Promise.all(
      ids.map((id, i) =>
        post(`{ goodsList(pageSize: 3, page: ${i + 1}) { items { id stocks } } }`, { "x-request-id": id }, url),
      ),
    );
    return ids;
  }

  it("keeps requests apart: with calls not combined, each subgraph call carries its own client's id", async () => {
    // Combined calls (entity-batches.ts, operation-batches.ts) carry their first caller's id, and whether
    // two requests meet in one event-loop turn depends on timing: this gateway combines nothing.
    const apart = await startGatewayService({
      port: 0,
      subgraphUrls: { goods: goods.url, inventory: inventory.url },
      logger: quietLogger(),
      batchEntities: 0,
      batchOperations: 0,
    });
    try {
      const ids = await fourPages("test-apart", apart.url);
      expect(seenByGoods.map((seen) => seen.requestId).sort()).toEqual([...ids].sort());
      expect(seenByInventory.map((seen) => seen.requestId).sort()).toEqual([...ids].sort());
    } finally {
      await apart.stop();
    }
  });

  it("combined calls carry one of their own clients' ids", async () => {
    const ids = await fourPages("test-combined");
    // Goods runs each query on its own, batched or not; an operation batch runs under its first caller's id.
    expect(seenByGoods).toHaveLength(ids.length);
    // Entity fetches met in one turn are one _entities operation.
    expect(seenByInventory.length).toBeGreaterThanOrEqual(1);
    expect(seenByInventory.length).toBeLessThanOrEqual(ids.length);
    for (const seen of [...seenByGoods, ...seenByInventory]) expect(ids).toContain(seen.requestId);
  });

  it("identical concurrent queries share a subgraph call, which carries one of their clients' ids", async () => {
    const ids = Array.from({ length: 4 }, (_, i) => `test-same-${i}-${randomBytes(6).toString("hex")}`);
    await Promise.all(ids.map((id) => post(QUERY, { "x-request-id": id })));
    expect(seenByGoods.length).toBeGreaterThanOrEqual(1);
    expect(seenByGoods.length).toBeLessThanOrEqual(ids.length);
    for (const seen of [...seenByGoods, ...seenByInventory]) expect(ids).toContain(seen.requestId);
  });

  it.each([
    ["overlong", `test-${"x".repeat(300)}`],
    ["with spaces", "a b"],
    ["with quotes", 'a"b'],
    ["JSON", '{"level":"fatal"}'],
  ])("replaces an id that is not sane (%s) with a fresh one, everywhere", async (_name, sent) => {
    const response = await postRaw(QUERY, { "x-request-id": sent });
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toMatch(UUID);
    expect(seenByGoods.map((seen) => seen.requestId)).toEqual([requestId]);
    expect(seenByInventory.map((seen) => seen.requestId)).toEqual([requestId]);
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
