import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodes, type GraphQLResponse, gql } from "../support/graphql-client";
import { random } from "../support/random";
import { type Stack, startStack } from "../support/stack";
import { onPostgres } from "../support/test-database";
import { ledgerViolations } from "./support/ledger-check";
import { ops } from "./support/operations";

const GOODS = Array.from({ length: 20 }, (_, index) => 31 + index);
const OPERATIONS = 2_400;
const CLIENTS = 32;

type Item = { goodsId: string; num: number };
type Op =
  | { kind: "sell"; orderSn: string; items: Item[] }
  | { kind: "reback"; orderSn: string }
  | { kind: "adjust"; goodsId: string; delta: number }
  | { kind: "set"; goodsId: string; stocks: number; optimistic: boolean };

function planStorm(seed: number): Op[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const orders: { orderSn: string; items: Item[] }[] = [];
  const plan: Op[] = [];
  while (plan.length < OPERATIONS) {
    const roll = next();
    if (roll < 0.4 || orders.length === 0) {
      const items = Array.from({ length: int(1, 3) }, () => ({ goodsId: String(pick(GOODS)), num: int(1, 4) }));
      const order = { orderSn: `storm-${orders.length}`, items };
      orders.push(order);
      plan.push({ kind: "sell", ...order });
    } else if (roll < 0.5) {
      // A duplicate of an earlier order: usually the same items (a retry), sometimes not.
      const order = pick(orders);
      const items = next() < 0.85 ? order.items : [{ goodsId: String(pick(GOODS)), num: 1 }];
      plan.push({ kind: "sell", orderSn: order.orderSn, items });
    } else if (roll < 0.68) {
      // Rebacks of recent orders; some arrive before their sell ran (empty rollbacks).
      plan.push({ kind: "reback", orderSn: pick(orders.slice(-40)).orderSn });
    } else if (roll < 0.72) {
      plan.push({ kind: "reback", orderSn: `storm-${orders.length + int(0, 5)}` });
    } else if (roll < 0.88) {
      plan.push({ kind: "adjust", goodsId: String(pick(GOODS)), delta: pick([-5, -3, -1, 1, 2, 4, 6]) });
    } else {
      plan.push({ kind: "set", goodsId: String(pick(GOODS)), stocks: int(0, 60), optimistic: next() < 0.6 });
    }
  }
  return plan;
}

type Outcome = { op: Op; code: string; response: GraphQLResponse };

describe(`a mixed storm of stock operations (${onPostgres ? "PostgreSQL" : "PGlite"})`, () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ queryTimeoutMs: 60_000, mutationTimeoutMs: 60_000 });
  });
  afterAll(() => stack?.stop());

  async function execute(op: Op): Promise<Outcome> {
    let response: GraphQLResponse;
    switch (op.kind) {
      case "sell":
        response = await gql(stack.url, ops.sellStock, { orderSn: op.orderSn, items: op.items });
        break;
      case "reback":
        response = await gql(stack.url, ops.rebackStock, { orderSn: op.orderSn });
        break;
      case "adjust":
        response = await gql(stack.url, ops.adjustStock, { goodsId: op.goodsId, delta: op.delta, reason: "storm" });
        break;
      case "set": {
        const read = op.optimistic ? await gql(stack.url, ops.inventory, { goodsId: op.goodsId }) : null;
        const expectedVersion = read?.data?.inventory.version;
        response = await gql(stack.url, ops.setStock, { goodsId: op.goodsId, stocks: op.stocks, expectedVersion });
        break;
      }
    }
    return { op, code: String(errorCodes(response)[0] ?? "OK"), response };
  }

  it(`keeps stock, ledger and orders consistent under ${OPERATIONS} operations from ${CLIENTS} clients`, async () => {
    await gql(stack.url, ops.batchSetStocks, { items: GOODS.map((id) => ({ goodsId: String(id), stocks: 40 })) });
    const plan = planStorm(20261124);
    const outcomes: Outcome[] = [];
    let cursor = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (cursor < plan.length) {
          const op = plan[cursor++] as Op;
          outcomes.push(await execute(op));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    const counts: Record<string, number> = {};
    for (const { op, code } of outcomes) counts[`${op.kind} ${code}`] = (counts[`${op.kind} ${code}`] ?? 0) + 1;
    console.log(
      `storm on ${onPostgres ? "PostgreSQL" : "PGlite"}: ${outcomes.length} operations from ${CLIENTS} clients over ${GOODS.length} goods in ${seconds.toFixed(2)} s = ${Math.round(outcomes.length / seconds)} ops/s\n` +
        Object.entries(counts)
          .sort()
          .map(([outcome, count]) => `  ${outcome.padEnd(28)} ${count}`)
          .join("\n"),
    );

    // Only the documented refusals; never an internal error (deadlock, constraint violation).
    const allowed: Record<Op["kind"], string[]> = {
      sell: ["OK", "INSUFFICIENT_STOCK", "ORDER_CANCELLED", "ORDER_CONFLICT"],
      reback: ["OK"],
      adjust: ["OK", "INSUFFICIENT_STOCK"],
      set: ["OK", "VERSION_CONFLICT"],
    };
    for (const { op, code, response } of outcomes) {
      expect(allowed[op.kind], `${op.kind}: ${JSON.stringify(response.errors)}`).toContain(code);
    }
    expect(outcomes).toHaveLength(OPERATIONS);

    const db = stack.inventory.db;
    // No negative stock, and for every goods the ledger adds up and chains (no lost update).
    const rows = await db.prisma.inventory.findMany({ where: { goodsId: { in: GOODS } } });
    expect(rows.every((row) => row.stocks >= 0)).toBe(true);
    expect(await ledgerViolations(db.sql)).toEqual([]);

    // Every acknowledged admin change is in the ledger with the version and stock it answered.
    const movements = await db.prisma.stockMovement.findMany({ where: { goodsId: { in: GOODS } } });
    const recorded = new Set(movements.map((m) => `${m.kind} ${m.goodsId} v${m.versionAfter} ${m.stocksAfter}`));
    for (const { op, code, response } of outcomes) {
      if (code !== "OK" || (op.kind !== "adjust" && op.kind !== "set")) continue;
      const row = (op.kind === "adjust" ? response.data?.adjustStock : response.data?.setStock) as {
        stocks: number;
        version: number;
      };
      expect(recorded).toContain(
        `${op.kind === "adjust" ? "ADJUST" : "SET"} ${op.goodsId} v${row.version} ${row.stocks}`,
      );
    }
    const acknowledged = (kind: Op["kind"]) => outcomes.filter((o) => o.op.kind === kind && o.code === "OK").length;
    expect(movements.filter((m) => m.kind === "ADJUST")).toHaveLength(acknowledged("adjust"));
    expect(movements.filter((m) => m.kind === "SET")).toHaveLength(acknowledged("set") + GOODS.length);

    // Every orderSn ends where its responses said it would, and took stock exactly as its status says.
    const byOrder = new Map<string, Outcome[]>();
    for (const outcome of outcomes) {
      if (outcome.op.kind !== "sell" && outcome.op.kind !== "reback") continue;
      byOrder.set(outcome.op.orderSn, [...(byOrder.get(outcome.op.orderSn) ?? []), outcome]);
    }
    const sells = await db.prisma.stockSell.findMany({ where: { orderSn: { startsWith: "storm-" } } });
    const status = new Map(sells.map((sell) => [sell.orderSn, sell]));
    for (const [orderSn, list] of byOrder) {
      const said = new Set(
        list
          .filter((o) => o.code === "OK")
          .map((o) => (o.response.data?.sellStock ?? o.response.data?.rebackStock) as { status: string } | undefined)
          .map((record) => record?.status),
      );
      const refusedAsCancelled = list.some((o) => o.code === "ORDER_CANCELLED");
      const expected = said.has("CANCELLED")
        ? "CANCELLED"
        : said.has("RETURNED")
          ? "RETURNED"
          : said.has("SOLD")
            ? "SOLD"
            : null;
      expect(status.get(orderSn)?.status ?? null, orderSn).toBe(expected);
      if (refusedAsCancelled) expect(expected, orderSn).toBe("CANCELLED");
      if (said.has("CANCELLED")) expect(said.has("SOLD"), orderSn).toBe(false);
      const taken = movements.filter((m) => m.orderSn === orderSn);
      const items = (status.get(orderSn)?.items ?? []) as { goodsId: number; num: number }[];
      const sold = expected === "SOLD" || expected === "RETURNED" ? items.length : 0;
      expect(
        taken.filter((m) => m.kind === "SELL"),
        orderSn,
      ).toHaveLength(sold);
      expect(
        taken.filter((m) => m.kind === "REBACK"),
        orderSn,
      ).toHaveLength(expected === "RETURNED" ? items.length : 0);
    }
  }, 300_000);
});
