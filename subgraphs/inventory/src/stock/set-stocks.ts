import { notFound } from "@emshop/common/errors";
import type { Inventory as InventoryRow } from "@emshop/db/inventory";
import type { SqlClient } from "@emshop/db/sql-client";
import { belowHeld, versionConflict } from "./errors";
import { INVENTORY_COLUMNS, ledgerInsert } from "./ledger";
import { lockInventoryRows } from "./lock-rows";

export interface StockSet {
  goodsId: number;
  stocks: number;
  /** null: set unconditionally; a number: only if the row's version still equals it. */
  expectedVersion: number | null;
}

export interface ChangeMeta {
  reason: string | null;
  actor: string | null;
  /** The idempotency key the change is made under (see idempotency.ts), kept in its ledger rows. */
  requestId: string | null;
}

/**
 * setStock and batchSetStocks: absolute values, all or nothing, in one transaction
 * (the caller's, when `sql` is a transaction already: idempotency.ts claims the
 * requestId in it first). `sets` are validated and name distinct goods (parseStockSets).
 *
 * 1. Goods that may be created (no expectedVersion, or 0) get a row with stocks 0
 *    and version 0 if they have none; it is never visible on its own (same
 *    transaction), and makes "create" and "update" the same path below.
 * 2. Every row is locked in goods-id order (lockInventoryRows): the order every
 *    multi-row writer uses, so batches and orders cannot deadlock.
 * 3. With the locks held, versions are compared and the old stocks are exact, so
 *    the update and its SET ledger rows (delta = new - old) are one statement.
 */
export async function setStocks(sql: SqlClient, sets: StockSet[], meta: ChangeMeta): Promise<InventoryRow[]> {
  const sorted = [...sets].sort((a, b) => a.goodsId - b.goodsId);
  const goodsIds = sorted.map((set) => set.goodsId);
  return sql.transaction(async (tx) => {
    const creatable = sorted.filter((set) => !set.expectedVersion).map((set) => set.goodsId);
    if (creatable.length > 0) {
      await tx.query(
        `INSERT INTO inventory (goods_id, stocks, version)
         SELECT goods_id, 0, 0 FROM unnest($1::int[]) AS t(goods_id) ORDER BY goods_id
         ON CONFLICT (goods_id) DO NOTHING`,
        [creatable],
      );
    }
    const current = await lockInventoryRows<{ goodsId: number; stocks: number; held: number; version: number }>(
      tx,
      goodsIds,
      `goods_id AS "goodsId", stocks, held, version`,
    );
    const byGoodsId = new Map(current.map((row) => [row.goodsId, row]));
    const conflicts = [];
    for (const set of sorted) {
      const row = byGoodsId.get(set.goodsId);
      // Only a set with expectedVersion > 0 can miss its row: it may not create one.
      if (!row) throw notFound("Inventory of goods", set.goodsId);
      if (set.expectedVersion !== null && row.version !== set.expectedVersion)
        conflicts.push({ goodsId: set.goodsId, expectedVersion: set.expectedVersion, currentVersion: row.version });
    }
    if (conflicts.length > 0) throw versionConflict(conflicts);
    // On hand never below what checkouts hold (expired holds were ended before: ./holds.ts reclaimExpired).
    const short = sorted.flatMap((set) => {
      const held = byGoodsId.get(set.goodsId)?.held ?? 0;
      return set.stocks < held ? [{ goodsId: set.goodsId, held, requested: set.stocks }] : [];
    });
    if (short.length > 0) throw belowHeld(short);

    const updated = await tx.query<InventoryRow>(
      `WITH input AS (
         SELECT * FROM unnest($1::int[], $2::int[], $3::int[]) AS t(goods_id, stocks, old_stocks)
       ), updated AS (
         UPDATE inventory i SET stocks = input.stocks, version = i.version + 1, updated_at = CURRENT_TIMESTAMP
         FROM input WHERE i.goods_id = input.goods_id
         RETURNING i.*, i.stocks - input.old_stocks AS delta
       ), ledger AS (${ledgerInsert("updated", "SET", { reason: "$4", actor: "$5", requestId: "$6" })})
       SELECT ${INVENTORY_COLUMNS} FROM updated`,
      [
        goodsIds,
        sorted.map((set) => set.stocks),
        sorted.map((set) => byGoodsId.get(set.goodsId)?.stocks ?? 0),
        meta.reason,
        meta.actor,
        meta.requestId,
      ],
    );
    const result = new Map(updated.map((row) => [row.goodsId, row]));
    // In the caller's order, which is what batchSetStocks promises.
    return sets.map((set) => result.get(set.goodsId) as InventoryRow);
  });
}
