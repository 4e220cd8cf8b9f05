import type { InventoryDb } from "@emshop/db/inventory";
import type { SqlClient } from "@emshop/db/sql-client";
import { importStockRows } from "@emshop/db/stock-import";
import { importedStocks, type StockComparison } from "./classify";

export const IMPORT_REASON = "legacy goods.stocks (stocks:reconcile)";
export const IMPORT_ACTOR = "stocks:reconcile";

/** The points of an apply where a crash is survivable; the test hook may throw at any of them. */
export type ApplyStep = "backed_up" | "imported";

/**
 * Step 1 for one batch: saves every legacy value in legacy_stock_backup, with
 * what inventory held and the class. A goods already backed up keeps its row
 * (that is what makes a resumed run report what the first one saw), unless its
 * legacy value changed since, e.g. because the old application still writes:
 * then the backup is taken again, as the drop migration requires.
 */
export async function backUp(goods: SqlClient, rows: StockComparison[]): Promise<number> {
  const legacy = rows.filter((row) => row.legacyStocks !== null);
  if (legacy.length === 0) return 0;
  const [saved] = await goods.query<{ n: number }>(
    `WITH saved AS (
       INSERT INTO legacy_stock_backup AS b (goods_id, legacy_stocks, inventory_stocks, class)
       SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::varchar[])
       ON CONFLICT (goods_id) DO UPDATE
         SET legacy_stocks = EXCLUDED.legacy_stocks, inventory_stocks = EXCLUDED.inventory_stocks,
             class = EXCLUDED.class, backed_up_at = CURRENT_TIMESTAMP
         WHERE b.legacy_stocks IS DISTINCT FROM EXCLUDED.legacy_stocks
       RETURNING 1
     ) SELECT count(*)::int AS n FROM saved`,
    [
      legacy.map((row) => row.goodsId),
      legacy.map((row) => row.legacyStocks),
      legacy.map((row) => row.inventoryStocks),
      legacy.map((row) => row.class),
    ],
  );
  return saved?.n ?? 0;
}

/**
 * The rows as the first apply saw them, from their backups: a run resuming an
 * interrupted one finds goods it already repaired (now "match"), but the backup
 * still says "missing_inventory", so the row is imported if the crash came
 * before that (importStockRows skips it otherwise), and reports and the recorded
 * run come out the same as after an uninterrupted run.
 */
async function asFirstSeen(goods: SqlClient, rows: StockComparison[]): Promise<StockComparison[]> {
  const backups = new Map(
    (
      await goods.query<{
        goods_id: number;
        legacy_stocks: number | null;
        inventory_stocks: number | null;
        class: StockComparison["class"];
      }>(
        `SELECT goods_id, legacy_stocks, inventory_stocks, class
         FROM legacy_stock_backup WHERE goods_id = ANY($1::int[])`,
        [rows.map((row) => row.goodsId)],
      )
    ).map((row) => [row.goods_id, row]),
  );
  return rows.map((row) => {
    const backup = backups.get(row.goodsId);
    if (!backup) return row;
    return {
      ...row,
      legacyStocks: backup.legacy_stocks,
      inventoryStocks: backup.inventory_stocks,
      class: backup.class,
    };
  });
}

/**
 * Steps 1 and 2 for one batch: back up, then create the missing inventory rows
 * through importStockRows (the one import code path: IMPORT ledger rows, one
 * transaction, idempotent). Each step is idempotent, so a run interrupted
 * anywhere is completed by running it again.
 */
export async function applyBatch(
  goods: SqlClient,
  inventory: InventoryDb,
  rows: StockComparison[],
  afterStep: (step: ApplyStep) => void | Promise<void> = () => undefined,
) {
  const backedUp = await backUp(goods, rows);
  await afterStep("backed_up");
  const seen = await asFirstSeen(goods, rows);
  const missing = seen.filter((row) => row.class === "missing_inventory");
  const { created } = await importStockRows(
    inventory.sql,
    missing.map((row) => ({ goodsId: row.goodsId, stocks: importedStocks(row.legacyStocks ?? 0) })),
    { reason: IMPORT_REASON, actor: IMPORT_ACTOR },
  );
  await afterStep("imported");
  return { rows: seen, backedUp, created };
}

/**
 * Whether a completed run covers every backup: the condition the drop migration
 * (migrations/goods/0003) checks, so the tool and the guard cannot disagree.
 */
export async function isReconciled(goods: SqlClient): Promise<boolean> {
  const [row] = await goods.query<{ reconciled: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM stock_reconcile_run r
       WHERE r.status = 'completed'
         AND r.finished_at >= coalesce((SELECT max(backed_up_at) FROM legacy_stock_backup), '-infinity')
     ) AS reconciled`,
  );
  return row?.reconciled ?? false;
}

/** Step 3: records the run, after every batch has been backed up and repaired. */
export async function recordRun(goods: SqlClient, startedAt: Date, summary: unknown) {
  await goods.query(
    `INSERT INTO stock_reconcile_run (started_at, finished_at, status, summary)
     VALUES ($1, CURRENT_TIMESTAMP, 'completed', $2::jsonb)`,
    [startedAt, JSON.stringify(summary)],
  );
}
