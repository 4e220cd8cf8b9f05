import { openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { importStocks } from "@emshop/inventory/stock/import-stocks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodes, type GraphQLResponse, gql } from "../support/graphql-client";
import { processStackAvailable, processStackUnavailableReason } from "../support/process-stack";
import { random } from "../support/random";
import { type ServiceProcess, spawnService } from "../support/service-process";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { asForSpawned } from "../support/tokens";
import { ledgerViolations } from "./support/ledger-check";
import { ops } from "./support/operations";

/*
 * Checkout holds under load: two inventory processes on one PostgreSQL (both
 * run the sweeper, every 200 ms), 32 clients, 3,000 mixed operations with
 * holds of 1–3 s, so many confirms race their hold's expiry; one process is
 * SIGKILLed half-way (its in-flight calls get no answer; everything after
 * goes to the other). Then the records, the ledger and every answer a client
 * received must agree.
 */

const GOODS = Array.from({ length: 12 }, (_, index) => index + 1);
const OPERATIONS = 3_000;
const CLIENTS = 32;

type Item = { goodsId: string; num: number };
type Op =
  | { kind: "hold"; orderSn: string; items: Item[]; ttlSeconds: number }
  | { kind: "confirm" | "release" | "reback"; orderSn: string }
  | { kind: "sell"; orderSn: string; items: Item[] }
  | { kind: "adjust"; goodsId: string; delta: number };

function planStorm(seed: number): Op[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const items = () => Array.from({ length: int(1, 3) }, () => ({ goodsId: String(pick(GOODS)), num: int(1, 3) }));
  const holds: { orderSn: string; items: Item[]; ttlSeconds: number }[] = [];
  const sells: string[] = [];
  const plan: Op[] = [];
  while (plan.length < OPERATIONS) {
    const roll = next();
    const recent = holds.slice(-60);
    if (roll < 0.3 || holds.length === 0) {
      const hold = { orderSn: `hold-${holds.length}`, items: items(), ttlSeconds: int(1, 3) };
      holds.push(hold);
      plan.push({ kind: "hold", ...hold });
    } else if (roll < 0.35) {
      plan.push({ kind: "hold", ...pick(recent) }); // a retry
    } else if (roll < 0.5) {
      plan.push({ kind: "confirm", orderSn: pick(recent).orderSn });
    } else if (roll < 0.55) {
      // A confirm that comes seconds after its hold (hundreds of operations later): it races the expiry.
      plan.push({
        kind: "confirm",
        orderSn: pick(holds.slice(-300, -100).length ? holds.slice(-300, -100) : recent).orderSn,
      });
    } else if (roll < 0.63) {
      plan.push({ kind: "release", orderSn: pick(recent).orderSn });
    } else if (roll < 0.65) {
      plan.push({ kind: "release", orderSn: `hold-${holds.length + int(0, 3)}` }); // before its hold
    } else if (roll < 0.78) {
      const orderSn = `sell-${sells.length}`;
      sells.push(orderSn);
      plan.push({ kind: "sell", orderSn, items: items() });
    } else if (roll < 0.88) {
      plan.push({ kind: "reback", orderSn: next() < 0.5 && sells.length ? pick(sells) : pick(recent).orderSn });
    } else {
      plan.push({ kind: "adjust", goodsId: String(pick(GOODS)), delta: pick([-4, -2, -1, 1, 3, 5]) });
    }
  }
  return plan;
}

type Outcome = { op: Op; code: string; response?: GraphQLResponse };

if (!processStackAvailable) console.warn(`hold storm e2e skipped: ${processStackUnavailableReason}`);

describe.runIf(processStackAvailable)(
  "a storm of checkout holds on two inventory processes, one killed (PostgreSQL)",
  () => {
    let database: TestDatabase;
    const processes: ServiceProcess[] = [];
    beforeAll(async () => {
      database = await createTestDatabase("hold_storm");
      const db = await openInventoryDb({ url: database.url });
      await migrate(db.sql, "inventory", { log: () => undefined });
      await importStocks(
        db,
        GOODS.map((goodsId) => ({ goodsId, stocks: 30 })),
        { reason: "storm setup", actor: "test" },
      );
      await db.close();
      const env = {
        INVENTORY_DATABASE_URL: database.url,
        INVENTORY_PORT: "0",
        DEMO_DATA: "false",
        LOG_LEVEL: "info",
        HOLD_TTL_MIN_SECONDS: "1",
        HOLD_SWEEP_INTERVAL_MS: "200",
      };
      for (let i = 0; i < 2; i++)
        processes.push(await spawnService("subgraphs/inventory/src/index.ts", env, { timeoutMs: 90_000 }));
    }, 120_000);
    afterAll(async () => {
      for (const service of processes) if (service.child.exitCode === null) service.child.kill("SIGTERM");
      await Promise.all(processes.map((service) => service.exited));
      await database?.drop();
    });

    it(`keeps on hand, held and every answer consistent under ${OPERATIONS} operations`, async () => {
      const headers = await asForSpawned("admin", "storm");
      const [first, second] = processes as [ServiceProcess, ServiceProcess];
      let killed = false;
      const call = async (
        index: number,
        query: string,
        variables: Record<string, unknown>,
      ): Promise<Outcome["response"]> => {
        const target = killed || index % 2 === 0 ? first : second;
        try {
          return await gql(target.url, query, variables, headers);
        } catch {
          return undefined; // no answer: the process died under it
        }
      };
      const execute = async (index: number, op: Op): Promise<Outcome> => {
        let response: Outcome["response"];
        switch (op.kind) {
          case "hold":
            response = await call(index, ops.holdStock, {
              orderSn: op.orderSn,
              items: op.items,
              ttlSeconds: op.ttlSeconds,
            });
            break;
          case "confirm":
            response = await call(index, ops.confirmHold, { orderSn: op.orderSn });
            break;
          case "release":
            response = await call(index, ops.releaseHold, { orderSn: op.orderSn });
            break;
          case "reback":
            response = await call(index, ops.rebackStock, { orderSn: op.orderSn });
            break;
          case "sell":
            response = await call(index, ops.sellStock, { orderSn: op.orderSn, items: op.items });
            break;
          case "adjust":
            response = await call(index, ops.adjustStock, { goodsId: op.goodsId, delta: op.delta, reason: "storm" });
            break;
        }
        return {
          op,
          code: response ? String(errorCodes(response)[0] ?? "OK") : "NO_ANSWER",
          ...(response ? { response } : {}),
        };
      };

      const plan = planStorm(20261202);
      const outcomes: Outcome[] = [];
      let cursor = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (cursor < plan.length) {
            const index = cursor++;
            if (index === OPERATIONS / 2 && !killed) {
              second.child.kill("SIGKILL");
              killed = true;
            }
            outcomes.push(await execute(index, plan[index] as Op));
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const counts: Record<string, number> = {};
      for (const { op, code } of outcomes) counts[`${op.kind} ${code}`] = (counts[`${op.kind} ${code}`] ?? 0) + 1;
      console.log(
        `hold storm: ${outcomes.length} operations from ${CLIENTS} clients on 2 inventory processes (one SIGKILLed half-way) over ${GOODS.length} goods in ${seconds.toFixed(1)} s\n` +
          Object.entries(counts)
            .sort()
            .map(([outcome, count]) => `  ${outcome.padEnd(28)} ${count}`)
            .join("\n"),
      );

      // Only documented refusals (and no answer from the killed process); never an internal error.
      const allowed: Record<Op["kind"], string[]> = {
        hold: ["OK", "INSUFFICIENT_STOCK", "ORDER_CONFLICT", "ORDER_CANCELLED"],
        confirm: ["OK", "HOLD_EXPIRED", "HOLD_RELEASED", "HOLD_NOT_FOUND"],
        release: ["OK"],
        reback: ["OK"],
        sell: ["OK", "INSUFFICIENT_STOCK", "ORDER_CANCELLED"],
        adjust: ["OK", "INSUFFICIENT_STOCK", "BELOW_HELD"],
      };
      for (const { op, code, response } of outcomes) {
        const ok = allowed[op.kind].includes(code) || (code === "NO_ANSWER" && killed);
        expect(ok, `${op.kind} ${code}: ${JSON.stringify(response?.errors)}`).toBe(true);
      }
      expect(outcomes).toHaveLength(OPERATIONS);
      expect(
        counts["confirm HOLD_EXPIRED"] ?? 0,
        "some confirms lost the race with their hold's expiry",
      ).toBeGreaterThan(0);
      expect(counts["confirm OK"] ?? 0).toBeGreaterThan(0);

      const db = await openInventoryDb({ url: database.url });
      try {
        // The storm is over and every hold lives at most 3 s, so the surviving sweeper must end them all.
        // (Comparing stored held with the holds still live at one instant raced a hold expiring between the
        // wait and the check; waiting for none left is deterministic.)
        const deadline = Date.now() + 20_000;
        for (;;) {
          const [left] = await db.sql.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM stock_sell WHERE status = 'HELD'",
          );
          if (left?.n === 0 || Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(await ledgerViolations(db.sql)).toEqual([]);
        const [remaining] = await db.sql.query<{ held: number; holds: number; heldOrders: number }>(
          `SELECT (SELECT coalesce(sum(held), 0)::int FROM inventory) AS held,
                (SELECT count(*)::int FROM stock_hold) AS holds,
                (SELECT count(*)::int FROM stock_sell WHERE status = 'HELD') AS "heldOrders"`,
        );
        expect(remaining, "the sweeper ended every expired hold").toEqual({ held: 0, holds: 0, heldOrders: 0 });
        // No order confirmed (or sold) twice: at most one CONFIRM/SELL movement per order and goods.
        const twice = await db.sql.query(
          `SELECT order_sn, goods_id FROM stock_movement WHERE kind IN ('CONFIRM', 'SELL')
         GROUP BY order_sn, goods_id HAVING count(*) > 1`,
        );
        expect(twice).toEqual([]);
        // Every answer a client received matches the final record.
        const records = new Map(
          (await db.sql.query<{ order_sn: string; status: string }>("SELECT order_sn, status FROM stock_sell")).map(
            (row) => [row.order_sn, row.status],
          ),
        );
        const after: Record<string, string[]> = {
          HELD: ["HELD", "CONFIRMED", "RELEASED", "EXPIRED", "RETURNED"],
          CONFIRMED: ["CONFIRMED", "RETURNED"],
          RELEASED: ["RELEASED"],
          CANCELLED: ["CANCELLED"],
          EXPIRED: ["EXPIRED", "CONFIRMED", "RETURNED"],
          SOLD: ["SOLD", "RETURNED"],
          RETURNED: ["RETURNED"],
        };
        for (const { op, code, response } of outcomes) {
          if (code !== "OK" || op.kind === "adjust" || !response?.data) continue;
          const answered = (Object.values(response.data)[0] as { status: string }).status;
          expect(after[answered], `${op.kind} ${op.orderSn} answered ${answered}`).toContain(records.get(op.orderSn));
        }
      } finally {
        await db.close();
      }
    }, 240_000);
  },
);
