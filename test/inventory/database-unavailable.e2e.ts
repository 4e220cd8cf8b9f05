import { setTimeout as sleep } from "node:timers/promises";
import { startGatewayService } from "@emshop/gateway/main";
import { startGoodsService } from "@emshop/goods/main";
import { startInventoryService } from "@emshop/inventory/main";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTcpProxy, type TcpProxy } from "../db/support/tcp-proxy";
import { type GraphQLResponse, gql } from "../support/graphql-client";
import { quietLogger } from "../support/logs";
import { seedTestData } from "../support/seed";
import { adminUrl, createTestDatabase, onPostgres, type TestDatabase } from "../support/test-database";
import { ledgerViolations } from "./support/ledger-check";
import { ops } from "./support/operations";

/**
 * What a client sees while the database fails over: every request that fails
 * because the database could not be reached, or its connection broke, is
 * answered with DATABASE_UNAVAILABLE and `retryable: true`, through the
 * gateway (which passes the code on with `serviceName`), and a retried sell or
 * hold with the same orderSn applies exactly once.
 *
 * Real PostgreSQL: the service's backends are terminated mid-request with
 * pg_terminate_backend (as a failover or `pg_ctl stop -m fast` does), and the
 * database is made unreachable by closing the TCP proxy the services reach it through.
 */

const UNAVAILABLE = {
  code: "DATABASE_UNAVAILABLE",
  retryable: true,
};
const MESSAGE = "The database is unavailable right now; retry the request";

// Without PostgreSQL it is skipped, saying why; on CI its absence is a failure, not a skip.
describe.skipIf(!onPostgres && !process.env.CI)(
  "DATABASE_UNAVAILABLE through the gateway (PostgreSQL only: terminates the service's backends)",
  () => {
    if (!onPostgres) {
      it("needs PostgreSQL on CI (TEST_DATABASE_URL)", () => expect.fail("TEST_DATABASE_URL is not set"));
      return;
    }
    const databases: TestDatabase[] = [];
    const proxies: Record<"goods" | "inventory", TcpProxy | undefined> = { goods: undefined, inventory: undefined };
    let goods: Awaited<ReturnType<typeof startGoodsService>>;
    let inventory: Awaited<ReturnType<typeof startInventoryService>>;
    let gateway: Awaited<ReturnType<typeof startGatewayService>>;
    let admin: pg.Client;
    let locker: pg.Client;
    let inventoryDbName = "";

    beforeAll(async () => {
      const [goodsDb, inventoryDb] = [await createTestDatabase("unav_goods"), await createTestDatabase("unav_inv")];
      databases.push(goodsDb, inventoryDb);
      inventoryDbName = new URL(inventoryDb.url).pathname.slice(1);
      const target = new URL(goodsDb.url);
      const server = { host: target.hostname, port: Number(target.port || 5432) };
      proxies.goods = await startTcpProxy(server);
      proxies.inventory = await startTcpProxy(server);
      goods = await startGoodsService({
        port: 0,
        database: { url: proxies.goods.urlOf(goodsDb.url) },
        logger: quietLogger(),
        demoData: false,
      });
      inventory = await startInventoryService({
        port: 0,
        database: { url: proxies.inventory.urlOf(inventoryDb.url) },
        logger: quietLogger(),
        demoData: false,
      });
      await seedTestData(goods.db, inventory.db);
      gateway = await startGatewayService({
        port: 0,
        subgraphUrls: { goods: goods.url, inventory: inventory.url },
        logger: quietLogger(),
      });
      admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      locker = new pg.Client({ connectionString: inventoryDb.url });
      await locker.connect();
    });
    afterAll(async () => {
      await proxies.goods?.open().catch(() => undefined);
      await proxies.inventory?.open().catch(() => undefined);
      await locker?.end().catch(() => undefined);
      await admin?.end().catch(() => undefined);
      await gateway?.stop();
      await Promise.allSettled([goods?.stop(), inventory?.stop()]);
      await Promise.allSettled([proxies.goods?.close(), proxies.inventory?.close()]);
      await Promise.allSettled(databases.map((db) => db.drop()));
    });

    /** Holds the inventory rows of `goodsIds` locked (FOR UPDATE) until the returned function is called. */
    async function lockRows(goodsIds: number[]): Promise<() => Promise<void>> {
      await locker.query("BEGIN");
      await locker.query("SELECT 1 FROM inventory WHERE goods_id = ANY($1::int[]) FOR UPDATE", [goodsIds]);
      return async () => {
        await locker.query("COMMIT");
      };
    }

    /** Backends terminated so far: a terminated one may still show as waiting for a moment. */
    const terminated: number[] = [];

    /** Waits until a backend of the inventory database waits for a row lock, and terminates it. */
    async function terminateTheWaitingBackend() {
      for (let attempt = 0; attempt < 500; attempt++) {
        const { rows } = await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
           WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> $2 AND NOT pid = ANY($3::int[])`,
          [inventoryDbName, (locker as unknown as { processID: number }).processID, terminated],
        );
        if (rows.length > 0) {
          terminated.push(...rows.map((row) => row.pid));
          await admin.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [
            rows.map((row) => row.pid),
          ]);
          return rows.length;
        }
        await sleep(10);
      }
      throw new Error("no backend of the inventory database waited for the row lock");
    }

    const stateOf = async (goodsId: number) => {
      const [row] = await locker
        .query<{ stocks: number; held: number }>("SELECT stocks, held FROM inventory WHERE goods_id = $1", [goodsId])
        .then((result) => result.rows);
      return row;
    };
    const ledgerOf = async (orderSns: string[]) =>
      Number(
        (
          await locker.query<{ n: string }>(
            "SELECT count(*) AS n FROM stock_movement WHERE order_sn = ANY($1::text[])",
            [orderSns],
          )
        ).rows[0]?.n,
      );
    const recordsOf = async (orderSns: string[]) =>
      Number(
        (
          await locker.query<{ n: string }>("SELECT count(*) AS n FROM stock_sell WHERE order_sn = ANY($1::text[])", [
            orderSns,
          ])
        ).rows[0]?.n,
      );

    const expectUnavailable = (response: GraphQLResponse, serviceName: string) => {
      expect(response.errors, JSON.stringify(response)).toHaveLength(1);
      const [error] = response.errors ?? [];
      expect(error?.message).toBe(MESSAGE);
      // The gateway passes the subgraph's code and retryable on unchanged, and adds serviceName.
      expect(error?.extensions).toEqual({ ...UNAVAILABLE, serviceName });
    };
    const sell = (orderSn: string, goodsId: number, num: number) =>
      gql(gateway.url, ops.sellStock, { orderSn, items: [{ goodsId: String(goodsId), num }] });

    it("a sell whose connection is terminated mid-request: retryable; the retry with the same orderSn applies once", async () => {
      const before = await stateOf(11);
      const unlock = await lockRows([11]);
      const attempt = sell("unav-sell-1", 11, 2);
      await terminateTheWaitingBackend();
      const failed = await attempt;
      await unlock();
      expectUnavailable(failed, "inventory");
      expect(failed.data).toBeNull();
      // Nothing of the failed attempt was applied.
      expect(await stateOf(11)).toEqual(before);
      expect(await recordsOf(["unav-sell-1"])).toBe(0);

      const retried = await sell("unav-sell-1", 11, 2);
      expect(retried.errors).toBeUndefined();
      expect(retried.data?.sellStock).toMatchObject({ orderSn: "unav-sell-1", status: "SOLD" });
      const again = await sell("unav-sell-1", 11, 2);
      expect(again.data?.sellStock).toEqual(retried.data?.sellStock);
      expect(await stateOf(11)).toEqual({ stocks: (before?.stocks ?? 0) - 2, held: before?.held });
      expect(await ledgerOf(["unav-sell-1"])).toBe(1);
    });

    it("the group commit: a failing batch hands every caller DATABASE_UNAVAILABLE; each retry applies once", async () => {
      const before = await stateOf(12);
      const orders = ["unav-batch-1", "unav-batch-2", "unav-batch-3", "unav-batch-4"];
      const unlock = await lockRows([12]);
      const attempts = orders.map((orderSn) => sell(orderSn, 12, 1));
      // The first sell runs alone and waits for the lock; the others queue behind it as one batch.
      await terminateTheWaitingBackend();
      // Then the batch's write waits for the lock too: its connection is terminated as well.
      await terminateTheWaitingBackend();
      const failed = await Promise.all(attempts);
      await unlock();
      for (const response of failed) expectUnavailable(response, "inventory");
      expect(await stateOf(12)).toEqual(before);
      expect(await recordsOf(orders)).toBe(0);

      const retried = await Promise.all(orders.map((orderSn) => sell(orderSn, 12, 1)));
      for (const response of retried) expect(response.data?.sellStock?.status, JSON.stringify(response)).toBe("SOLD");
      const repeated = await Promise.all(orders.map((orderSn) => sell(orderSn, 12, 1)));
      expect(repeated.map((response) => response.data?.sellStock)).toEqual(retried.map((r) => r.data?.sellStock));
      expect(await stateOf(12)).toEqual({ stocks: (before?.stocks ?? 0) - orders.length, held: before?.held });
      expect(await recordsOf(orders)).toBe(orders.length);
      expect(await ledgerOf(orders)).toBe(orders.length);
      expect(await ledgerViolations(inventory.db.sql)).toEqual([]);
    });

    it("a hold whose connection is terminated mid-request: retryable; the retry holds once", async () => {
      const before = await stateOf(13);
      const hold = () =>
        gql(gateway.url, ops.holdStock, {
          orderSn: "unav-hold-1",
          items: [{ goodsId: "13", num: 3 }],
          ttlSeconds: 600,
        });
      const unlock = await lockRows([13]);
      const attempt = hold();
      await terminateTheWaitingBackend();
      const failed = await attempt;
      await unlock();
      expectUnavailable(failed, "inventory");
      expect(await stateOf(13)).toEqual(before);

      const retried = await hold();
      expect(retried.data?.holdStock).toMatchObject({ orderSn: "unav-hold-1", status: "HELD" });
      expect((await hold()).data?.holdStock).toEqual(retried.data?.holdStock);
      expect(await stateOf(13)).toEqual({ stocks: before?.stocks, held: (before?.held ?? 0) + 3 });
      expect(await ledgerOf(["unav-hold-1"])).toBe(1);
    });

    const readiness = async (serviceUrl: string) => (await fetch(new URL("/health/ready", serviceUrl))).status;

    it("goods unreachable (its database's port closed): catalog reads are DATABASE_UNAVAILABLE, readiness 503, then back", async () => {
      const proxy = proxies.goods as TcpProxy;
      await proxy.close();
      try {
        const page = await gql(gateway.url, "{ goodsList(pageSize: 2) { items { id name } } }");
        expectUnavailable(page, "goods");
        const detail = await gql(gateway.url, `{ goods(id: "1") { id name } }`);
        expectUnavailable(detail, "goods");
        expect(await readiness(goods.url)).toBe(503);
      } finally {
        await proxy.open();
      }
      const page = await gql(gateway.url, "{ goodsList(pageSize: 2) { items { id } } }");
      expect(page.errors).toBeUndefined();
      expect(page.data?.goodsList.items).toHaveLength(2);
      expect(await readiness(goods.url)).toBe(200);
    });

    it("inventory unreachable: stock reads and a sell are DATABASE_UNAVAILABLE; the sell, retried once it is back, applies once", async () => {
      const proxy = proxies.inventory as TcpProxy;
      const before = await stateOf(14);
      await proxy.close();
      try {
        const read = await gql(gateway.url, `{ inventory(goodsId: "14") { stocks } }`);
        expectUnavailable(read, "inventory");
        // On a catalog page the goods still come, with stocks null and the coded error beside them.
        const page = await gql(gateway.url, "{ goodsList(pageSize: 2) { items { id stocks } } }");
        expect(page.data?.goodsList.items).toEqual([
          expect.objectContaining({ stocks: null }),
          expect.objectContaining({ stocks: null }),
        ]);
        expect(page.errors?.[0]?.extensions).toMatchObject({ ...UNAVAILABLE, serviceName: "inventory" });
        expectUnavailable(await sell("unav-sell-down", 14, 1), "inventory");
        expect(await readiness(inventory.url)).toBe(503);
      } finally {
        await proxy.open();
      }
      const retried = await sell("unav-sell-down", 14, 1);
      expect(retried.data?.sellStock).toMatchObject({ status: "SOLD" });
      expect((await sell("unav-sell-down", 14, 1)).data?.sellStock).toEqual(retried.data?.sellStock);
      expect(await stateOf(14)).toEqual({ stocks: (before?.stocks ?? 0) - 1, held: before?.held });
      expect(await ledgerOf(["unav-sell-down"])).toBe(1);
      expect(await readiness(inventory.url)).toBe(200);
    });
  },
);
