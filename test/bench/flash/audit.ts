import type { SqlClient } from "@emshop/db/sql-client";
import { sameItems } from "@emshop/inventory/stock/stock-sell-row";
import type { OrderItem } from "@emshop/inventory/stock/validate";
import {
  describeItems,
  INSUFFICIENT_STOCK,
  NO_ANSWER,
  ORDER_CONFLICT,
  recordCode,
  type SellAnswer,
  SOLD,
} from "./answers";

/*
 * After a flash sale: do the database and every answer a client received tell
 * one story? Used by `npm run bench:flash` and test/inventory/flash-storm.e2e.ts.
 *
 * Stock only goes down during a flash sale (no rebacks, holds or admin
 * changes), so once some items of an orderSn were refused for stock they stay
 * refused, and once they were sold every repeat replays the record. Hence, for
 * each orderSn, whatever the interleaving:
 *  - recorded SOLD with items I: every answer for I is SOLD with that record
 *    (its createdAt); an answer for other items is ORDER_CONFLICT, or
 *    INSUFFICIENT_STOCK if it was refused before I was recorded;
 *  - not recorded: every answer is INSUFFICIENT_STOCK.
 * The goods audited must be sold by these orders only.
 */

export interface SellRecord {
  orderSn: string;
  status: string;
  items: OrderItem[];
  createdAt: number;
}

export interface GoodsAudit {
  goodsId: number;
  initial: number;
  remaining: number;
  /** Units in SOLD records of the audited orders. */
  recordedUnits: number;
  /** Units in the SELL ledger rows of the audited orders. */
  ledgerUnits: number;
}

export interface FlashAudit {
  goods: GoodsAudit[];
  soldOrders: number;
  /** SELL ledger rows of the audited orders. */
  sellRows: number;
  /**
   * Units sold beyond the initial stock + orders that took stock more than
   * once (more SELL rows than items, or two different SOLD records answered) +
   * the difference between the SELL rows and the SOLD records' items. Must be 0.
   */
  doubleTaken: number;
  /** Every disagreement between the answers, the records, the ledger and the stock; empty when consistent. */
  violations: string[];
}

const ANSWERABLE = new Set([SOLD, INSUFFICIENT_STOCK, ORDER_CONFLICT]);

/** What is wrong with one answer, given the orderSn's record (null when consistent). */
function answerViolation(answer: SellAnswer, record: SellRecord | undefined): string | null {
  const what = `${answer.orderSn} (${describeItems(answer.items)}) answered ${answer.code}`;
  if (!ANSWERABLE.has(answer.code)) return `${what}: ${answer.message ?? "not a flash sale's answer"}`;
  if (!record)
    return answer.code === INSUFFICIENT_STOCK ? null : `${what}, but nothing is recorded for it (no stock was taken)`;
  const recorded = `${recordCode(record.status)} with ${describeItems(record.items)}`;
  if (!sameItems(record.items, answer.items))
    return answer.code === SOLD ? `${what}, but it is recorded ${recorded}` : null;
  if (answer.code !== SOLD || record.status !== SOLD) return `${what}, but it is recorded ${recorded}`;
  if (answer.createdAt !== record.createdAt)
    return `${what} with a record created at ${answer.createdAt}, but its record was created at ${record.createdAt}`;
  return null;
}

async function recordsOf(sql: SqlClient, prefix: string): Promise<Map<string, SellRecord>> {
  const rows = await sql.query<{ order_sn: string; status: string; items: OrderItem[]; created_at: Date }>(
    "SELECT order_sn, status, items, created_at FROM stock_sell WHERE starts_with(order_sn, $1)",
    [prefix],
  );
  return new Map(
    rows.map((row) => [
      row.order_sn,
      { orderSn: row.order_sn, status: row.status, items: row.items, createdAt: row.created_at.getTime() },
    ]),
  );
}

async function sellRowsOf(sql: SqlClient, prefix: string) {
  const rows = await sql.query<{ order_sn: string; goods_id: number; delta: number }>(
    "SELECT order_sn, goods_id, delta FROM stock_movement WHERE kind = 'SELL' AND starts_with(order_sn, $1)",
    [prefix],
  );
  const byOrder = new Map<string, { goodsId: number; num: number }[]>();
  for (const row of rows)
    byOrder.set(row.order_sn, [...(byOrder.get(row.order_sn) ?? []), { goodsId: row.goods_id, num: -row.delta }]);
  return { count: rows.length, byOrder };
}

/** Audits the orders whose orderSn starts with `orderSnPrefix`, on goods that had `initialStock` units each. */
export async function auditFlash(
  sql: SqlClient,
  options: { orderSnPrefix: string; initialStock: ReadonlyMap<number, number> },
  answers: readonly SellAnswer[],
): Promise<FlashAudit> {
  const { orderSnPrefix, initialStock } = options;
  const records = await recordsOf(sql, orderSnPrefix);
  const sellRows = await sellRowsOf(sql, orderSnPrefix);
  const violations: string[] = [];

  for (const answer of answers) {
    if (answer.code === NO_ANSWER) continue; // it may or may not have committed: its retry tells
    const violation = answerViolation(answer, records.get(answer.orderSn));
    if (violation) violations.push(violation);
  }

  let takenTwice = 0;
  let expectedSellRows = 0;
  const recordedUnits = new Map<number, number>();
  for (const record of records.values()) {
    if (record.status !== SOLD) {
      violations.push(`${record.orderSn} is recorded ${record.status}: a flash sale only sells`);
      continue;
    }
    expectedSellRows += record.items.length;
    for (const item of record.items) recordedUnits.set(item.goodsId, (recordedUnits.get(item.goodsId) ?? 0) + item.num);
    const taken = (sellRows.byOrder.get(record.orderSn) ?? []).sort((a, b) => a.goodsId - b.goodsId);
    if (taken.length > record.items.length) takenTwice++;
    if (!sameItems(taken, record.items))
      violations.push(
        `${record.orderSn} is recorded SOLD with ${describeItems(record.items)}, but its SELL ledger rows took ${describeItems(taken) || "nothing"}`,
      );
  }
  for (const [orderSn, taken] of sellRows.byOrder)
    if (records.get(orderSn)?.status !== SOLD)
      violations.push(`${orderSn} has SELL ledger rows (${describeItems(taken)}) but no SOLD record`);

  // One orderSn answered SOLD with two different records: it was recorded (and took stock) twice.
  const soldCreatedAt = new Map<string, Set<number | undefined>>();
  for (const answer of answers)
    if (answer.code === SOLD)
      soldCreatedAt.set(answer.orderSn, (soldCreatedAt.get(answer.orderSn) ?? new Set()).add(answer.createdAt));
  for (const [orderSn, createdAts] of soldCreatedAt)
    if (createdAts.size > 1) {
      takenTwice++;
      violations.push(`${orderSn} was answered SOLD with ${createdAts.size} different records`);
    }

  const ledgerUnits = new Map<number, number>();
  for (const taken of sellRows.byOrder.values())
    for (const item of taken) ledgerUnits.set(item.goodsId, (ledgerUnits.get(item.goodsId) ?? 0) + item.num);
  const remaining = new Map(
    (
      await sql.query<{ goods_id: number; stocks: number }>(
        "SELECT goods_id, stocks FROM inventory WHERE goods_id = ANY($1::int[])",
        [[...initialStock.keys()]],
      )
    ).map((row) => [row.goods_id, row.stocks]),
  );
  let oversold = 0;
  const goods = [...initialStock].map(([goodsId, initial]): GoodsAudit => {
    const audit = {
      goodsId,
      initial,
      remaining: remaining.get(goodsId) ?? Number.NaN,
      recordedUnits: recordedUnits.get(goodsId) ?? 0,
      ledgerUnits: ledgerUnits.get(goodsId) ?? 0,
    };
    const sold = audit.initial - audit.remaining;
    oversold += Math.max(0, Math.max(sold, audit.recordedUnits, audit.ledgerUnits) - initial);
    if (!(audit.remaining >= 0)) violations.push(`goods ${goodsId}: ${audit.remaining} units on hand`);
    if (sold !== audit.recordedUnits || sold !== audit.ledgerUnits)
      violations.push(
        `goods ${goodsId}: ${sold} units gone (${initial} → ${audit.remaining}), but the SOLD records hold ${audit.recordedUnits} and the SELL ledger rows ${audit.ledgerUnits}`,
      );
    return audit;
  });
  const doubleTaken = oversold + takenTwice + Math.abs(sellRows.count - expectedSellRows);
  const soldOrders = [...records.values()].filter((record) => record.status === SOLD).length;
  return { goods, soldOrders, sellRows: sellRows.count, doubleTaken, violations };
}
