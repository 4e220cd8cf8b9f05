import type { SqlClient } from "@emshop/db/sql-client";
import { type SellAnswer, SOLD } from "../bench/flash/answers";
import { auditFlash } from "../bench/flash/audit";
import { ledgerViolations } from "../inventory/support/ledger-check";

/*
 * What `npm run test:cluster` requires of the database after a storm, read on
 * the primary that is current *after* everything (a new one, after a failover):
 *  - oversell: units sold beyond a goods' initial stock (records, ledger or stock);
 *  - ledgerMismatch: goods whose ledger does not add up to its stock (the
 *    per-goods invariant of @emshop/inventory/stock/invariants);
 *  - ackedLost: sells a client was told SOLD that the primary has no SOLD record of;
 *  - doubleApplied: orders that took stock twice (more SELL rows than items, or
 *    two different records answered), and SELL rows without a matching record;
 * plus every other disagreement between answers, records and ledger
 * (../bench/flash/audit.ts states the rules).
 */

export interface StormVerdict {
  oversell: number;
  ledgerMismatch: number;
  ackedLost: number;
  doubleApplied: number;
  soldOrders: number;
  violations: string[];
}

export async function checkStorm(
  sql: SqlClient,
  options: { orderSnPrefix: string; initialStock: ReadonlyMap<number, number> },
  answers: readonly SellAnswer[],
): Promise<StormVerdict> {
  const audit = await auditFlash(sql, options, answers);
  const oversell = audit.goods.reduce(
    (sum, goods) =>
      sum +
      Math.max(0, Math.max(goods.initial - goods.remaining, goods.recordedUnits, goods.ledgerUnits) - goods.initial),
    0,
  );
  const acked = [...new Set(answers.filter((answer) => answer.code === SOLD).map((answer) => answer.orderSn))];
  const recorded = new Set(
    (
      await sql.query<{ order_sn: string }>(
        "SELECT order_sn FROM stock_sell WHERE order_sn = ANY($1::text[]) AND status = 'SOLD'",
        [acked],
      )
    ).map((row) => row.order_sn),
  );
  const ackedLost = acked.filter((orderSn) => !recorded.has(orderSn));
  const ledger = await ledgerViolations(sql);
  return {
    oversell,
    ledgerMismatch: ledger.length,
    ackedLost: ackedLost.length,
    doubleApplied: audit.doubleTaken - oversell,
    soldOrders: audit.soldOrders,
    violations: [
      ...audit.violations,
      ...ledger.map((violation) => `ledger: ${violation}`),
      ...ackedLost.map((orderSn) => `${orderSn} was answered SOLD but is not recorded on the primary`),
    ],
  };
}

/** On-hand stock of each goods right now: the storm's starting point. */
export async function stockOf(sql: SqlClient, goods: readonly number[]): Promise<Map<number, number>> {
  const rows = await sql.query<{ goods_id: number; stocks: number }>(
    "SELECT goods_id, stocks FROM inventory WHERE goods_id = ANY($1::int[])",
    [[...goods]],
  );
  return new Map(rows.map((row) => [row.goods_id, row.stocks]));
}
