import type { SqlClient } from "@emshop/db/sql-client";
import { importStockRows } from "@emshop/db/stock-import";
import { ledgerInsert } from "@emshop/inventory/stock/ledger";
import { lockInventoryRows } from "@emshop/inventory/stock/lock-rows";
import type { GoodsStock } from "./stock";

/** The ledger's actor of every movement the import writes; also how it recognises its own stock levels. */
export const IMPORT_ACTOR = "import:emshop";
export const INVENTORY_REASON = "emshop inventory (import:emshop)";
export const LEGACY_REASON = "emshop legacy goods.stocks, no inventory row (import:emshop)";

type Wanted = NonNullable<GoodsStock["target"]>;

/** What happens to one goods' stock level in the target. */
export type StockPlan =
  | { action: "insert" | "unchanged"; wanted: Wanted }
  | { action: "update"; wanted: Wanted; current: { stocks: number; version: number } }
  | { action: "conflict"; wanted: Wanted; current: { stocks: number; version: number }; reason: string };

/**
 * Compares the stock levels the import wants with the target's. A goods
 * without a row gets one (insert). A row whose stock differs is updated only
 * while the import still owns it: its newest ledger movement is this import's
 * (emshop's stock changed between two runs). Once anything else moved it (a
 * sale, an admin) the target is live and keeps its value: reported as a conflict.
 */
export async function planStocks(inventory: SqlClient, wanted: Wanted[]): Promise<StockPlan[]> {
  if (wanted.length === 0) return [];
  const ids = wanted.map((stock) => stock.goodsId);
  const current = new Map(
    (
      await inventory.query<{ goods_id: number; stocks: number; version: number }>(
        "SELECT goods_id, stocks, version FROM inventory WHERE goods_id = ANY($1::int[])",
        [ids],
      )
    ).map((row) => [row.goods_id, row]),
  );
  const changed = wanted.filter((stock) => {
    const row = current.get(stock.goodsId);
    return row !== undefined && row.stocks !== stock.stocks;
  });
  const lastMove = new Map(
    changed.length === 0
      ? []
      : (
          await inventory.query<{ goods_id: number; kind: string; actor: string | null }>(
            `SELECT DISTINCT ON (goods_id) goods_id, kind, actor FROM stock_movement
             WHERE goods_id = ANY($1::int[]) ORDER BY goods_id, id DESC`,
            [changed.map((stock) => stock.goodsId)],
          )
        ).map((row) => [row.goods_id, row]),
  );
  return wanted.map((stock): StockPlan => {
    const row = current.get(stock.goodsId);
    if (!row) return { action: "insert", wanted: stock };
    if (row.stocks === stock.stocks) return { action: "unchanged", wanted: stock };
    const move = lastMove.get(stock.goodsId);
    const state = { stocks: row.stocks, version: row.version };
    if (move?.kind === "IMPORT" && move.actor === IMPORT_ACTOR)
      return { action: "update", wanted: stock, current: state };
    const by = move ? `${move.kind}${move.actor ? ` by ${move.actor}` : ""}` : "a change outside the ledger";
    return {
      action: "conflict",
      wanted: stock,
      current: state,
      reason: `the target's stock ${row.stocks} was changed since the import (last: ${by}); it is kept, emshop has ${stock.stocks}`,
    };
  });
}

const UPDATE_SQL = `
  WITH wanted AS (
    SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::int[]) AS t(goods_id, stocks, old_stocks, old_version)
  ), updated AS (
    UPDATE inventory i SET stocks = w.stocks, version = i.version + 1, updated_at = CURRENT_TIMESTAMP
    FROM wanted w
    WHERE i.goods_id = w.goods_id AND i.stocks = w.old_stocks AND i.version = w.old_version
    RETURNING i.goods_id, i.stocks, i.held, i.version, w.stocks - w.old_stocks AS delta
  ), ledger AS (${ledgerInsert("updated", "IMPORT", { reason: "$5", actor: "$6" })})
  SELECT count(*)::int AS n FROM updated`;

/**
 * Writes the planned stock levels in the caller's transaction: new rows through
 * importStockRows (the project's one import path: one IMPORT ledger row each,
 * nothing for goods that already have a row, so a re-run adds no ledger rows),
 * changed rows with an IMPORT movement of the difference, so that for every
 * goods the ledger still adds up to its stock.
 */
export async function writeStocks(tx: SqlClient, plans: StockPlan[]): Promise<{ created: number; updated: number }> {
  let created = 0;
  for (const [origin, reason] of [
    ["inventory", INVENTORY_REASON],
    ["legacy", LEGACY_REASON],
  ] as const) {
    const items = plans
      .filter((plan) => plan.action === "insert" && plan.wanted.origin === origin)
      .map((plan) => ({ goodsId: plan.wanted.goodsId, stocks: plan.wanted.stocks }));
    created += (await importStockRows(tx, items, { reason, actor: IMPORT_ACTOR })).created;
  }
  const updates = plans.filter((plan) => plan.action === "update");
  if (updates.length === 0) return { created, updated: 0 };
  await lockInventoryRows(
    tx,
    updates.map((plan) => plan.wanted.goodsId),
  );
  const [row] = await tx.query<{ n: number }>(UPDATE_SQL, [
    updates.map((plan) => plan.wanted.goodsId),
    updates.map((plan) => plan.wanted.stocks),
    updates.map((plan) => plan.current.stocks),
    updates.map((plan) => plan.current.version),
    INVENTORY_REASON,
    IMPORT_ACTOR,
  ]);
  return { created, updated: row?.n ?? 0 };
}
