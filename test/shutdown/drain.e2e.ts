import { openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { importStockRows } from "@emshop/db/stock-import";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerViolations } from "../inventory/support/ledger-check";
import { type ServiceProcess, spawnService } from "../support/service-process";
import { createTestDatabase, onPostgres, type TestDatabase } from "../support/test-database";
import { asForSpawned } from "../support/tokens";

const IN_FLIGHT = 40;
const STOCK = 1000;
const SELL = `mutation Sell($orderSn: String!) { sellStock(orderSn: $orderSn, items: [{ goodsId: "1", num: 2 }]) { orderSn status } }`;

async function sell(url: string, orderSn: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(await asForSpawned("order-service")) },
    body: JSON.stringify({ query: SELL, variables: { orderSn } }),
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      data?: { sellStock?: { status: string } };
      errors?: { message: string; extensions?: { code?: string } }[];
    },
  };
}

const until = async (check: () => Promise<boolean>, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

// The sells must be in flight when SIGTERM arrives: a second connection holds
// the goods' row lock meanwhile, which PGlite (one connection) cannot do.
describe.skipIf(!onPostgres)(
  "SIGTERM while sells are in flight (PostgreSQL only: needs a second connection to hold a row lock)",
  () => {
    let database: TestDatabase;
    let service: ServiceProcess;
    let locker: pg.Client;
    let observer: pg.Client;

    beforeAll(async () => {
      database = await createTestDatabase("drain");
      const db = await openInventoryDb({ url: database.url });
      await migrate(db.sql, "inventory");
      await importStockRows(db.sql, [{ goodsId: 1, stocks: STOCK }], { reason: "drain test" });
      await db.close();
      service = await spawnService("subgraphs/inventory/src/index.ts", {
        INVENTORY_DATABASE_URL: database.url,
        INVENTORY_PORT: "0",
        DEMO_DATA: "false",
        SHUTDOWN_DELAY_MS: "1500",
        SHUTDOWN_TIMEOUT_MS: "15000",
        DB_POOL_SIZE: "10",
        DB_STATEMENT_TIMEOUT_MS: "20000",
        // 30 of the 40 sells queue for one of the 10 connections through the whole shutdown
        // delay; on a loaded machine that is longer than the default 5 s wait for a connection.
        DB_CONNECT_TIMEOUT_MS: "20000",
        // One statement per sell, so every pooled connection waits on the row lock (what `waiting` counts);
        // with the group commit a single batch would wait and the rest queue in the process.
        SELL_GROUP_COMMIT: "false",
      });
      locker = new pg.Client({ connectionString: database.url });
      await locker.connect();
      observer = new pg.Client({ connectionString: database.url });
      await observer.connect();
    });
    afterAll(async () => {
      await locker?.end().catch(() => undefined);
      await observer?.end().catch(() => undefined);
      service?.child.kill("SIGKILL");
      await database?.drop();
    });

    it("answers every request it accepted, refuses new ones, leaves nothing half-applied and exits 0", async () => {
      const health = service.url.replace("/graphql", "/health/ready");
      expect((await fetch(health)).status).toBe(200);

      await locker.query("BEGIN");
      await locker.query("SELECT 1 FROM inventory WHERE goods_id = 1 FOR UPDATE");
      // Asked on another connection: inside a transaction pg_stat_activity is a snapshot that never changes.
      const waiting = async () => {
        const [row] = (
          await observer.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
          )
        ).rows;
        return (row?.n ?? 0) >= 10; // as many as the pool holds: the rest queue in the service
      };
      const inFlight = Array.from({ length: IN_FLIGHT }, (_, index) => sell(service.url, `DRAIN-${index}`));
      await until(waiting, "the sells to block on the row lock");

      const signalledAt = Date.now();
      service.child.kill("SIGTERM");
      // During SHUTDOWN_DELAY_MS the listener is still open and readiness says so (polled: the
      // signal is handled asynchronously, and until then readiness waits for the busy pool).
      await until(async () => {
        const ready = await fetch(health, { signal: AbortSignal.timeout(300) }).catch(() => null);
        return ready?.status === 503 && ((await ready.json()) as { status?: string }).status === "draining";
      }, "readiness to answer 503 draining");

      // After the delay the listener closes: new connections are refused while the old requests still wait.
      await until(
        () =>
          fetch(health, { headers: { connection: "close" } }).then(
            () => false,
            () => true,
          ),
        "the listener to close",
      );
      await locker.query("COMMIT"); // the blocked sells may proceed now

      const answers = await Promise.all(inFlight);
      expect(answers.map((answer) => answer.status)).toEqual(Array(IN_FLIGHT).fill(200));
      // An error instead of SOLD shows its code and message, not just `undefined`.
      expect(
        answers.map(
          (answer) =>
            answer.body.data?.sellStock?.status ??
            JSON.stringify(answer.body.errors?.map((error) => [error.extensions?.code, error.message])),
        ),
      ).toEqual(Array(IN_FLIGHT).fill("SOLD"));
      expect(await service.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(15_000);
      expect(service.output()).toMatch(/^\{.*"service":"inventory".*"msg":"stopped"\}$/m);

      const db = await openInventoryDb({ url: database.url });
      try {
        const sold = await db.sql.query<{ order_sn: string }>(
          "SELECT order_sn FROM stock_sell WHERE status = 'SOLD' ORDER BY order_sn",
        );
        expect(sold.map((row) => row.order_sn).sort()).toEqual(
          Array.from({ length: IN_FLIGHT }, (_, index) => `DRAIN-${index}`).sort(),
        );
        const [ledger] = await db.sql.query<{ sells: number }>(
          "SELECT count(*)::int AS sells FROM stock_movement WHERE kind = 'SELL'",
        );
        expect(ledger?.sells).toBe(IN_FLIGHT);
        const [row] = await db.sql.query<{ stocks: number }>("SELECT stocks FROM inventory WHERE goods_id = 1");
        expect(row?.stocks).toBe(STOCK - 2 * IN_FLIGHT);
        expect(await ledgerViolations(db.sql)).toEqual([]);
      } finally {
        await db.close();
      }
    });
  },
);
