import type { SqlClient } from "@emshop/db/sql-client";
import { backUp } from "../reconcile/apply";
import { missingTables } from "../reconcile/read-batches";
import type { BackupDecision, GoodsStock } from "./stock";

/*
 * The import's own tables, created by the first --apply (IF NOT EXISTS; a
 * dry run creates nothing). They are the audit trail and are never deleted by
 * the tooling:
 *  - goods database, emshop_import_state: one row, written before the first
 *    row is imported. It marks the target as this import's (a re-run may write
 *    into it; a target with other rows is refused), and after a completed run
 *    holds what that run found and whether --repair was on (--verify needs it).
 *  - inventory database, emshop_inventory_backup: every emshop inventory row
 *    as read, with what became of it (chosen, not_chosen, soft_deleted, orphan,
 *    goods_skipped), so several rows per goods never lose a number.
 * Legacy goods.stocks values go to legacy_stock_backup (migrations/goods/0002),
 * as with stocks:reconcile.
 */
const STATE_DDL = `CREATE TABLE IF NOT EXISTS emshop_import_state (
  source       VARCHAR(16) PRIMARY KEY,
  started_at   TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  completed_at TIMESTAMPTZ(3),
  repair       BOOLEAN,
  summary      JSONB NOT NULL DEFAULT '{}'
)`;

const INVENTORY_BACKUP_DDL = `CREATE TABLE IF NOT EXISTS emshop_inventory_backup (
  source_id    INTEGER PRIMARY KEY,
  goods_id     INTEGER NOT NULL,
  stocks       INTEGER,
  version      INTEGER,
  add_time     TIMESTAMPTZ(3),
  update_time  TIMESTAMPTZ(3),
  deleted_at   TIMESTAMPTZ(3),
  decision     VARCHAR(16) NOT NULL,
  backed_up_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
)`;

const SOURCE = "emshop";

export interface ImportState {
  completedAt: Date | null;
  repair: boolean | null;
  summary: unknown;
}

/** The recorded state, or null when no apply ever started (also when the table does not exist yet). */
export async function readState(goods: SqlClient): Promise<ImportState | null> {
  if ((await missingTables(goods, ["emshop_import_state"])).length > 0) return null;
  const [row] = await goods.query<ImportState>(
    `SELECT completed_at AS "completedAt", repair, summary FROM emshop_import_state WHERE source = $1`,
    [SOURCE],
  );
  return row ?? null;
}

/** Before the first write of an apply: the tables exist and the target is marked as this import's. */
export async function markStarted(goods: SqlClient, inventory: SqlClient) {
  await goods.exec(STATE_DDL);
  await inventory.exec(INVENTORY_BACKUP_DDL);
  await goods.query("INSERT INTO emshop_import_state (source) VALUES ($1) ON CONFLICT (source) DO NOTHING", [SOURCE]);
}

/** After a run that completed: what it found (not what it did, so a resumed run records the same). */
export async function recordCompleted(goods: SqlClient, repair: boolean, summary: unknown) {
  await goods.query(
    `UPDATE emshop_import_state SET completed_at = CURRENT_TIMESTAMP, repair = $2, summary = $3::jsonb WHERE source = $1`,
    [SOURCE, repair, JSON.stringify(summary)],
  );
}

/**
 * Every legacy goods.stocks value of the batch into legacy_stock_backup, with
 * the inventory value seen and the class: stocks:reconcile's own backup (a
 * goods already backed up keeps its row unless its legacy value changed).
 * Returns how many rows were written.
 */
export const backUpLegacyStocks = (goods: SqlClient, stocks: GoodsStock[]): Promise<number> =>
  backUp(
    goods,
    stocks.map((stock) => stock.comparison),
  );

/**
 * Every source inventory row of the batch into emshop_inventory_backup, with
 * its decision; a row is rewritten only when emshop's values or the decision
 * changed. Returns how many rows were written.
 */
export async function backUpInventoryRows(
  inventory: SqlClient,
  rows: { stock: GoodsStock; decision: (row: GoodsStock["rows"][number]) => BackupDecision }[],
): Promise<number> {
  const records = rows.flatMap(({ stock, decision }) =>
    stock.rows.map((row) => ({
      source_id: row.id,
      goods_id: row.goods,
      stocks: row.stocks,
      version: row.version,
      add_time: row.add_time ?? null,
      update_time: row.update_time ?? null,
      deleted_at: row.deleted_at,
      decision: decision(row),
    })),
  );
  if (records.length === 0) return 0;
  const [saved] = await inventory.query<{ n: number }>(
    `WITH saved AS (
       INSERT INTO emshop_inventory_backup AS b
         (source_id, goods_id, stocks, version, add_time, update_time, deleted_at, decision)
       SELECT source_id, goods_id, stocks, version, add_time, update_time, deleted_at, decision
       FROM jsonb_to_recordset($1::jsonb) AS r(source_id int, goods_id int, stocks int, version int,
         add_time timestamptz, update_time timestamptz, deleted_at timestamptz, decision text)
       ORDER BY source_id
       ON CONFLICT (source_id) DO UPDATE
         SET goods_id = EXCLUDED.goods_id, stocks = EXCLUDED.stocks, version = EXCLUDED.version,
             add_time = EXCLUDED.add_time, update_time = EXCLUDED.update_time, deleted_at = EXCLUDED.deleted_at,
             decision = EXCLUDED.decision, backed_up_at = CURRENT_TIMESTAMP
         WHERE (b.goods_id, b.stocks, b.version, b.add_time, b.update_time, b.deleted_at, b.decision)
           IS DISTINCT FROM (EXCLUDED.goods_id, EXCLUDED.stocks, EXCLUDED.version, EXCLUDED.add_time,
                             EXCLUDED.update_time, EXCLUDED.deleted_at, EXCLUDED.decision)
       RETURNING 1
     ) SELECT count(*)::int AS n FROM saved`,
    [JSON.stringify(records)],
  );
  return saved?.n ?? 0;
}
