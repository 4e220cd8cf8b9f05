import { setTimeout as sleep } from "node:timers/promises";
import { openGoodsDb } from "@emshop/db/goods";
import { readSessionTimeouts } from "@emshop/db/session-settings";
import { startGatewayService } from "@emshop/gateway/main";
import { startGoodsService } from "@emshop/goods/main";
import { startInventoryService } from "@emshop/inventory/main";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerViolations } from "../inventory/support/ledger-check";
import { ops } from "../inventory/support/operations";
import { gql } from "../support/graphql-client";
import { capturingLogger, type LogLine, quietLogger } from "../support/logs";
import { pgbouncerMissingReason, type RunningPgBouncer, startPgBouncer } from "../support/pgbouncer";
import { seedTestData } from "../support/seed";
import { createTestDatabase, onPostgres, type TestDatabase } from "../support/test-database";

/**
 * The services behind PgBouncer 1.18 in transaction pooling mode, in front of
 * the machine's PostgreSQL: no session state survives a transaction there, so
 * - the timeouts cannot be startup parameters (PgBouncer refuses them):
 *   DB_SESSION_SETTINGS=server, PgBouncer's `connect_query` sets them on each
 *   server connection, and the raw client's transactions `SET LOCAL` them;
 * - LISTEN (the catalog cache) goes to PostgreSQL directly (GOODS_DATABASE_DIRECT_URL);
 * - prepared statements: node-postgres and @prisma/adapter-pg only use the
 *   unnamed statement, which lives within one round trip: a burst of requests
 *   on more client connections than PgBouncer has server connections works;
 * - migrations (pg_advisory_xact_lock, one transaction per file) run through it.
 */

const missing = onPostgres ? pgbouncerMissingReason() : "needs TEST_DATABASE_URL (PostgreSQL) behind it";
const TIMEOUTS = { statementTimeoutMs: 5000, idleInTransactionTimeoutMs: 10_000 };
const CONNECT_QUERY = `SET statement_timeout = ${TIMEOUTS.statementTimeoutMs}; SET idle_in_transaction_session_timeout = ${TIMEOUTS.idleInTransactionTimeoutMs}`;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe("behind PgBouncer in transaction mode (PostgreSQL and /usr/sbin/pgbouncer)", () => {
  if (missing) {
    if (process.env.CI) it("needs PgBouncer and PostgreSQL on CI", () => expect.fail(missing));
    else it.skip(`PgBouncer (${missing})`, () => undefined);
    return;
  }
  const databases: TestDatabase[] = [];
  let bouncer: RunningPgBouncer;
  let goods: Awaited<ReturnType<typeof startGoodsService>>;
  let inventory: Awaited<ReturnType<typeof startInventoryService>>;
  let gateway: Awaited<ReturnType<typeof startGatewayService>>;
  let direct: { goods: string; inventory: string };
  const goodsLog: LogLine[] = [];

  beforeAll(async () => {
    const [goodsDb, inventoryDb] = [await createTestDatabase("bouncer_goods"), await createTestDatabase("bouncer_inv")];
    databases.push(goodsDb, inventoryDb);
    direct = { goods: goodsDb.url, inventory: inventoryDb.url };
    bouncer = await startPgBouncer({ poolMode: "transaction", poolSize: 4, connectQuery: CONNECT_QUERY });
    const database = { sessionSettings: "server" as const, ...TIMEOUTS, poolSize: 10 };
    // Migrations run through PgBouncer as they would in production.
    goods = await startGoodsService({
      port: 0,
      database: { ...database, url: bouncer.urlOf(goodsDb.url), directUrl: goodsDb.url },
      logger: capturingLogger("goods", (line) => goodsLog.push(line)),
      demoData: false,
    });
    inventory = await startInventoryService({
      port: 0,
      database: { ...database, url: bouncer.urlOf(inventoryDb.url) },
      logger: quietLogger(),
      demoData: false,
    });
    await seedTestData(goods.db, inventory.db);
    gateway = await startGatewayService({
      port: 0,
      subgraphUrls: { goods: goods.url, inventory: inventory.url },
      logger: quietLogger(),
      timeouts: { queryMs: 10_000, mutationMs: 30_000 },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.allSettled([goods?.stop(), inventory?.stop()]);
    await bouncer?.stop();
    await Promise.allSettled(databases.map((db) => db.drop()));
  });

  it("refuses the timeouts as startup parameters (why DB_SESSION_SETTINGS=server exists)", async () => {
    const db = await openGoodsDb({
      url: bouncer.urlOf(direct.goods),
      sessionSettings: "startup",
      onIdleError: () => undefined,
    });
    try {
      await expect(db.sql.query("SELECT 1")).rejects.toMatchObject({
        code: "08P01",
        message: "unsupported startup parameter: statement_timeout",
      });
    } finally {
      await db.close();
    }
  });

  it("the timeouts hold on every server connection (connect_query), and the service did not warn", async () => {
    expect(await readSessionTimeouts(goods.db.sql)).toEqual(TIMEOUTS);
    expect(await readSessionTimeouts(inventory.db.sql)).toEqual(TIMEOUTS);
    expect(goodsLog.filter((line) => line.level === "warn").map((line) => line.msg)).toEqual([]);
  });

  it("serves the catalog through the gateway (Prisma and raw SQL through PgBouncer)", async () => {
    const page = await gql(
      gateway.url,
      `{ goodsList(pageSize: 5, filter: { topCategory: "1" }) { total totalUpTo(limit: 5) { count } items { id name category { name } brand { name } stocks } }
         categories { id children { id } } brands(pageSize: 3) { total items { name } } banners { id } }`,
    );
    expect(page.errors).toBeUndefined();
    expect(page.data?.goodsList.items.length).toBeGreaterThan(0);
    for (const item of page.data?.goodsList.items ?? []) expect(typeof item.stocks).toBe("number");
    expect(page.data?.categories.length).toBeGreaterThan(0);
  });

  it("sells (one, and a burst the group commit batches) and holds, each exactly once", async () => {
    const before = (
      await gql(gateway.url, `{ a: inventory(goodsId: "21") { stocks } b: inventory(goodsId: "22") { stocks held } }`)
    ).data as { a: { stocks: number }; b: { stocks: number; held: number } };
    const one = await gql(gateway.url, ops.sellStock, {
      orderSn: "bouncer-sell-1",
      items: [{ goodsId: "21", num: 2 }],
    });
    expect(one.data?.sellStock.status).toBe("SOLD");
    // More concurrent requests than PgBouncer's 4 server connections: the unnamed statements never clash.
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        gql(gateway.url, ops.sellStock, { orderSn: `bouncer-burst-${n}`, items: [{ goodsId: "21", num: 1 }] }),
      ),
    );
    expect(burst.map((response) => response.errors?.[0]?.extensions?.code ?? response.data?.sellStock.status)).toEqual(
      Array(30).fill("SOLD"),
    );
    const hold = await gql(gateway.url, ops.holdStock, {
      orderSn: "bouncer-hold-1",
      items: [{ goodsId: "22", num: 3 }],
      ttlSeconds: 600,
    });
    expect(hold.data?.holdStock.status).toBe("HELD");
    const repeat = await gql(gateway.url, ops.sellStock, {
      orderSn: "bouncer-sell-1",
      items: [{ goodsId: "21", num: 2 }],
    });
    expect(repeat.data?.sellStock).toEqual(one.data?.sellStock);
    const after = (
      await gql(gateway.url, `{ a: inventory(goodsId: "21") { stocks } b: inventory(goodsId: "22") { stocks held } }`)
    ).data as typeof before;
    expect(after.a.stocks).toBe(before.a.stocks - 32);
    expect(after.b).toEqual({ stocks: before.b.stocks, held: before.b.held + 3 });
    expect(await ledgerViolations(inventory.db.sql)).toEqual([]);
  });

  it("an admin write in a Prisma transaction (goods) through PgBouncer", async () => {
    const created = await gql(
      gateway.url,
      `mutation { createBrand(input: { name: "Bouncer brand", logo: "" }) { id name } }`,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createBrand.name).toBe("Bouncer brand");
  });

  it("a LISTEN through PgBouncer hears nothing (why GOODS_DATABASE_DIRECT_URL exists)", async () => {
    const listener = new pg.Client({ connectionString: bouncer.urlOf(direct.goods) });
    listener.on("error", () => undefined);
    await listener.connect();
    let heard = 0;
    listener.on("notification", () => {
      heard++;
    });
    const writer = new pg.Client({ connectionString: direct.goods });
    await writer.connect();
    try {
      await listener.query("LISTEN emshop_bouncer_probe");
      await writer.query("NOTIFY emshop_bouncer_probe, 'lost'");
      await sleep(300);
      expect(heard).toBe(0);
      // PgBouncer drops it: the server connection that listened is no longer linked to this client.
      expect(bouncer.log()).toMatch(/got packet 'A' from server when not linked/);
    } finally {
      await writer.end();
      await listener.end().catch(() => undefined);
    }
  });

  it("the catalog cache listens on the direct URL: a plain-SQL rename from elsewhere reaches it", async () => {
    expect(goods.db.catalog?.listening).toBe(true);
    const brandOf1 = async () =>
      (await gql(goods.url, `{ goods(id: "1") { brand { id name } } }`)).data?.goods.brand as {
        id: string;
        name: string;
      };
    const { id } = await brandOf1();
    const loads = goods.db.catalog?.loads ?? 0;
    const writer = new pg.Client({ connectionString: direct.goods });
    await writer.connect();
    try {
      await writer.query("UPDATE brand SET name = 'Renamed behind the pooler' WHERE id = $1", [Number(id)]);
    } finally {
      await writer.end();
    }
    await until("the rename to reach the cache", async () => (await brandOf1()).name === "Renamed behind the pooler");
    expect(goods.db.catalog?.loads).toBeGreaterThan(loads);
  });

  it("without connect_query: the raw transactions still SET LOCAL the timeouts, and the service warns at start", async () => {
    const bare = await startPgBouncer({ poolMode: "transaction", poolSize: 2 });
    const log: LogLine[] = [];
    const other = await startGoodsService({
      port: 0,
      database: {
        url: bare.urlOf(direct.goods),
        sessionSettings: "server",
        statementTimeoutMs: 300,
        idleInTransactionTimeoutMs: 10_000,
      },
      logger: capturingLogger("goods", (line) => log.push(line)),
      demoData: false,
      catalogCache: false,
    });
    try {
      expect(log.filter((line) => line.level === "warn").map((line) => [line.msg, line.expected, line.actual])).toEqual(
        [
          [
            expect.stringMatching(/^DB_SESSION_SETTINGS=server, but the server connection runs with other timeouts/),
            { statementTimeoutMs: 300, idleInTransactionTimeoutMs: 10_000 },
            { statementTimeoutMs: 0, idleInTransactionTimeoutMs: 0 },
          ],
        ],
      );
      const inside = await other.db.sql.transaction((tx) => readSessionTimeouts(tx));
      expect(inside).toEqual({ statementTimeoutMs: 300, idleInTransactionTimeoutMs: 10_000 });
      await expect(other.db.sql.transaction((tx) => tx.query("SELECT pg_sleep(2)"))).rejects.toMatchObject({
        code: "57014",
      });
      // Nothing leaked into the server connections the transactions ran on.
      expect(await readSessionTimeouts(other.db.sql)).toEqual({ statementTimeoutMs: 0, idleInTransactionTimeoutMs: 0 });
    } finally {
      await other.stop();
      await bare.stop();
    }
  });
});
