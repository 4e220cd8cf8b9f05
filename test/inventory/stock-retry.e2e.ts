import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "../support/graphql-client";
import { type Stack, startStack } from "../support/stack";
import { onPostgres } from "../support/test-database";

const ADJUST = `mutation Adjust($requestId: String) {
  adjustStock(goodsId: "5", delta: -1, reason: "damaged", requestId: $requestId) { goodsId stocks version }
}`;

// The write must still be running when the gateway gives up: a second
// connection holds the goods' row lock meanwhile, which PGlite cannot do.
describe.skipIf(!onPostgres)(
  "a stock write the gateway timed out, then retried (PostgreSQL only: needs a second connection to hold a row lock)",
  () => {
    let stack: Stack;
    let locker: pg.Client;
    beforeAll(async () => {
      stack = await startStack({ mutationTimeoutMs: 400 });
      locker = new pg.Client({ connectionString: stack.databaseUrls.inventory });
    });
    afterAll(async () => {
      await locker?.end().catch(() => undefined);
      await stack?.stop();
    });

    it("commits once: the retry answers with the first result and the ledger has one row", async () => {
      const before = await stack.inventory.db.sql.query<{ stocks: number; version: number }>(
        "SELECT stocks, version FROM inventory WHERE goods_id = 5",
      );
      await locker.connect();
      await locker.query("BEGIN");
      await locker.query("SELECT 1 FROM inventory WHERE goods_id = 5 FOR UPDATE");

      const first = await gql(stack.url, ADJUST, { requestId: "retry-test-1" });
      expect(first.errors?.[0]?.extensions).toMatchObject({ code: "SUBGRAPH_UNAVAILABLE", timedOut: true });
      // A retry while the first attempt still waits: it waits behind the first attempt's claim, and times out too.
      const early = await gql(stack.url, ADJUST, { requestId: "retry-test-1" });
      expect(early.errors?.[0]?.extensions).toMatchObject({ code: "SUBGRAPH_UNAVAILABLE", timedOut: true });

      await locker.query("COMMIT"); // the first attempt commits now, after its client gave up
      const committed = async () =>
        (
          await stack.inventory.db.sql.query(
            "SELECT 1 FROM stock_request WHERE request_id = 'retry-test-1' AND result IS NOT NULL",
          )
        ).length === 1;
      for (let wait = 0; !(await committed()); wait++) {
        if (wait > 200) throw new Error("the first attempt never committed");
        await new Promise((resolve) => setTimeout(resolve, 25));
      }

      const retry = await gql(stack.url, ADJUST, { requestId: "retry-test-1" });
      expect(retry.errors).toBeUndefined();
      expect(retry.data?.adjustStock).toEqual({
        goodsId: "5",
        stocks: (before[0]?.stocks ?? 0) - 1,
        version: (before[0]?.version ?? 0) + 1,
      });
      const ledger = await stack.inventory.db.sql.query<{ request_id: string }>(
        "SELECT request_id FROM stock_movement WHERE goods_id = 5 AND kind = 'ADJUST'",
      );
      expect(ledger).toEqual([{ request_id: "retry-test-1" }]);
      const [after] = await stack.inventory.db.sql.query<{ stocks: number }>(
        "SELECT stocks FROM inventory WHERE goods_id = 5",
      );
      expect(after?.stocks).toBe((before[0]?.stocks ?? 0) - 1);

      // Without a key the same retry would have applied twice: that is what requestId is for.
      const unkeyed = await gql(stack.url, ADJUST, {});
      expect(unkeyed.data?.adjustStock.stocks).toBe((before[0]?.stocks ?? 0) - 2);
    });
  },
);
