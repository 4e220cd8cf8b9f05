import { openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { importStockRows } from "@emshop/db/stock-import";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  INSUFFICIENT_STOCK,
  NO_ANSWER,
  ORDER_CONFLICT,
  type SellAnswer,
  type SellRequest,
  SOLD,
} from "../bench/flash/answers";
import { auditFlash } from "../bench/flash/audit";
import { httpSeller } from "../bench/flash/sellers";
import { metricTotal } from "../bench/flash/services";
import { random } from "../support/random";
import { type ServiceProcess, spawnService } from "../support/service-process";
import { createTestDatabase, onPostgres, type TestDatabase } from "../support/test-database";
import { asForSpawned } from "../support/tokens";
import { ledgerViolations } from "./support/ledger-check";

/*
 * A flash sale on two inventory processes with group commit (one PostgreSQL
 * database), 96 clients, 5,000 orders on 3 hot goods of 1,000 units each, so
 * they sell out; retries and same-orderSn-other-items conflicts mixed in, and
 * multi-goods orders (sellStock's own path) racing the batches. One process is
 * SIGKILLed at 30% of the plan: its in-flight calls get no answer, and each of
 * those orderSns is sent again to the survivor, as an order service would.
 * Then the stock, the ledger, the records and every answer must agree
 * (../bench/flash/audit.ts states the rules).
 */

const GOODS = [1, 2, 3];
const STOCK = 1_000;
const ORDERS = 5_000;
const CLIENTS = 96;
const KILL_AT = 0.3;
const ORDER_SN_PREFIX = "storm-";
const REASON =
  "needs TEST_DATABASE_URL (PostgreSQL): two inventory processes share one database, which PGlite (in-process) cannot";

/** An order's items merged per goods and sorted, as sellStock records them. */
const sorted = (items: { goodsId: number; num: number }[]) => [...items].sort((a, b) => a.goodsId - b.goodsId);

function planStorm(seed: number): SellRequest[] {
  const next = random(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const orders: SellRequest[] = [];
  const plan: SellRequest[] = [];
  while (orders.length < ORDERS) {
    const roll = next();
    const recent = orders.slice(-200);
    if (roll < 0.08 && recent.length > 0) {
      plan.push(recent[int(0, recent.length - 1)] as SellRequest); // a retry: the same items
    } else if (roll < 0.11 && recent.length > 0) {
      // The same orderSn with other items: one more unit, or only the first goods of a multi-goods order.
      const { orderSn, items } = recent[int(0, recent.length - 1)] as SellRequest;
      const [first] = items as [SellRequest["items"][number]];
      plan.push({ orderSn, items: items.length === 1 ? [{ ...first, num: first.num + 1 }] : [first] });
    } else {
      // 85% one goods (the coalesced path), 15% two or three goods (sellStock's path).
      const goods = next() < 0.85 ? [GOODS[int(0, 2)] as number] : GOODS.filter(() => next() < 0.7);
      const chosen = goods.length > 0 ? goods : [GOODS[0] as number];
      const order = {
        orderSn: `${ORDER_SN_PREFIX}${orders.length}`,
        items: sorted(chosen.map((goodsId) => ({ goodsId, num: next() < 0.8 ? 1 : 2 }))),
      };
      orders.push(order);
      plan.push(order);
    }
  }
  return plan;
}

type Via = "survivor" | "killed";
type Outcome = { answer: SellAnswer; via: Via };

if (!onPostgres && !process.env.CI) console.warn(`flash storm e2e skipped: ${REASON}`);

describe.skipIf(!onPostgres && !process.env.CI)(
  "a flash sale on two inventory processes with group commit, one SIGKILLed (PostgreSQL only: two processes on one database)",
  () => {
    if (!onPostgres) {
      // On CI its absence is a failure, not a skip.
      it("needs PostgreSQL on CI", () => expect.fail(REASON));
      return;
    }
    let database: TestDatabase;
    const processes: ServiceProcess[] = [];
    beforeAll(async () => {
      database = await createTestDatabase("flash_storm");
      const db = await openInventoryDb({ url: database.url });
      try {
        await migrate(db.sql, "inventory", { log: () => undefined });
        await importStockRows(
          db.sql,
          GOODS.map((goodsId) => ({ goodsId, stocks: STOCK })),
          { reason: "flash storm setup" },
        );
      } finally {
        await db.close();
      }
      const env = {
        INVENTORY_DATABASE_URL: database.url,
        INVENTORY_PORT: "0",
        DEMO_DATA: "false",
        LOG_LEVEL: "info",
        SELL_GROUP_COMMIT: "true",
      };
      processes.push(
        ...(await Promise.all(
          [0, 1].map(() => spawnService("subgraphs/inventory/src/index.ts", env, { timeoutMs: 90_000 })),
        )),
      );
    }, 120_000);
    afterAll(async () => {
      for (const service of processes) if (service.child.exitCode === null) service.child.kill("SIGTERM");
      await Promise.all(processes.map((service) => service.exited));
      await database?.drop();
    });

    it(`sells exactly the stock, once per orderSn, across ${ORDERS} orders and a SIGKILL`, async () => {
      const [survivor, victim] = processes as [ServiceProcess, ServiceProcess];
      const headers = await asForSpawned("order-service", "flash-storm");
      const sellers = { survivor: httpSeller(survivor.url, headers), killed: httpSeller(victim.url, headers) };
      const plan = planStorm(20261203);
      const outcomes: Outcome[] = [];
      let killed = false;
      let cursor = 0;

      /** Until answered: a call the killed process took goes again to the survivor. */
      const call = async (index: number, request: SellRequest) => {
        for (let attempt = 0; attempt < 3; attempt++) {
          const via: Via = killed || attempt > 0 || index % 2 === 0 ? "survivor" : "killed";
          const answer = await sellers[via](request);
          outcomes.push({ answer, via });
          if (answer.code !== NO_ANSWER) return;
        }
      };
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (cursor < plan.length) {
            const index = cursor++;
            if (index === Math.floor(plan.length * KILL_AT)) {
              victim.child.kill("SIGKILL");
              killed = true;
            }
            await call(index, plan[index] as SellRequest);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const answers = outcomes.map((outcome) => outcome.answer);
      const counts: Record<string, number> = {};
      for (const { answer, via } of outcomes)
        counts[`${via} ${answer.code}`] = (counts[`${via} ${answer.code}`] ?? 0) + 1;
      console.log(
        `flash storm: ${plan.length} calls (${ORDERS} orders) from ${CLIENTS} clients on 2 inventory processes with group commit (one SIGKILLed at ${KILL_AT * 100}%) over ${GOODS.length} goods of ${STOCK} units in ${seconds.toFixed(1)} s\n` +
          Object.entries(counts)
            .sort()
            .map(([outcome, count]) => `  ${outcome.padEnd(32)} ${count}`)
            .join("\n"),
      );

      expect(await victim.exited).toBeNull(); // killed by the signal, not exited by itself
      expect(victim.child.signalCode).toBe("SIGKILL");
      // Only a flash sale's answers; no answer only from the killed process, never from the survivor.
      const unexpected = outcomes.filter(
        ({ answer, via }) =>
          ![SOLD, INSUFFICIENT_STOCK, ORDER_CONFLICT].includes(answer.code) &&
          !(answer.code === NO_ANSWER && via === "killed"),
      );
      expect(unexpected.map(({ answer, via }) => `${via}: ${answer.orderSn} ${answer.code} ${answer.message}`)).toEqual(
        [],
      );
      // Every call ended with an answer.
      const answered = new Set(answers.filter((answer) => answer.code !== NO_ANSWER).map((answer) => answer.orderSn));
      expect(plan.filter((request) => !answered.has(request.orderSn)).map((request) => request.orderSn)).toEqual([]);
      // The storm did what it is for: the kill cut calls off, stock ran out, conflicts and sells were answered.
      expect(counts[`killed ${NO_ANSWER}`] ?? 0, "calls the SIGKILL cut off").toBeGreaterThan(0);
      for (const code of [SOLD, INSUFFICIENT_STOCK, ORDER_CONFLICT])
        expect(answers.filter((answer) => answer.code === code).length, code).toBeGreaterThan(0);
      // And the survivor's sells were coalesced: the test ran the group commit, not one statement per sell.
      expect(
        await metricTotal(survivor.url, "stock_sells_coalesced_total"),
        "stock_sells_coalesced_total",
      ).toBeGreaterThan(0);

      const db = await openInventoryDb({ url: database.url, poolSize: 2 });
      try {
        const audit = await auditFlash(
          db.sql,
          { orderSnPrefix: ORDER_SN_PREFIX, initialStock: new Map(GOODS.map((goodsId) => [goodsId, STOCK])) },
          answers,
        );
        console.log(
          `  ${audit.soldOrders} orders sold; per goods (initial → on hand): ${audit.goods.map((goods) => `${goods.goodsId}: ${goods.initial} → ${goods.remaining}`).join(", ")}`,
        );
        expect(audit.violations).toEqual([]);
        expect(audit.doubleTaken).toBe(0);
        expect(
          audit.goods.some((goods) => goods.remaining === 0),
          "some goods sold out",
        ).toBe(true);
        expect(await ledgerViolations(db.sql)).toEqual([]);
      } finally {
        await db.close();
      }
    }, 180_000);
  },
);
