import { classify, importedStocks, type StockComparison } from "../reconcile/classify";
import type { SourceInventory } from "./source-rows";
import type { StockRow } from "./target-rows";

/**
 * Which emshop inventory row is a goods' stock when it has several.
 *
 * emshop's `inventory.goods` is indexed but not unique, so a goods can have
 * several live rows (a double "set stock", a manual insert). emshop itself
 * answers every stock question from ONE of them: its data layer reads
 * `Where("goods = ?").First(&inv)`, and gorm's First orders by primary key, so
 * the stock it showed and checked every sale against is the live row with the
 * lowest id. (Its Reduce/Increase update every row of the goods, so a sum would
 * count each sale several times; `version` is never incremented by those
 * updates, so "highest version" picks nothing meaningful.) The import keeps
 * exactly what emshop showed: the lowest-id live row. Every such goods is
 * reported with all its rows, and every source row is kept in
 * emshop_inventory_backup.
 */
export const STOCK_RULE = "lowest_id_live_row";

/** What became of one source inventory row (emshop_inventory_backup.decision). */
export type BackupDecision = "chosen" | "not_chosen" | "soft_deleted" | "orphan" | "goods_skipped";

export interface GoodsStock {
  goodsId: number;
  /** Reconcile's classification: legacy goods.stocks against the chosen row. */
  comparison: StockComparison;
  /** The goods' rows, live ones by id, then the soft-deleted ones. */
  rows: SourceInventory[];
  chosen: SourceInventory | null;
  /** Live rows beyond the first: the goods is reported with all its rows. */
  multipleRows: boolean;
  /** What the target's inventory gets (null: no row), and from where. */
  target: (StockRow & { origin: "inventory" | "legacy" }) | null;
  /** The goods itself is imported (its stock is, too). */
  goodsImported: boolean;
}

const byId = (a: SourceInventory, b: SourceInventory) => a.id - b.id;

/**
 * A live goods' stock. Inventory wins, as in the reconcile tool: a legacy
 * goods.stocks value counts only when there is no inventory row
 * (missing_inventory); a negative value starts at 0 (importedStocks), its exact
 * value stays in the backups and the report.
 */
export function decideStock(
  goodsId: number,
  legacy: number | null,
  goodsRows: SourceInventory[],
  goodsImported: boolean,
): GoodsStock {
  const live = goodsRows.filter((row) => row.deleted_at === null).sort(byId);
  const deleted = goodsRows.filter((row) => row.deleted_at !== null).sort(byId);
  const chosen = live[0] ?? null;
  const inventoryStocks = chosen ? (chosen.stocks ?? 0) : null;
  const comparison: StockComparison = {
    goodsId,
    legacyStocks: legacy,
    inventoryStocks,
    class: classify(true, legacy, inventoryStocks),
  };
  const target = !goodsImported
    ? null
    : inventoryStocks !== null
      ? { goodsId, stocks: importedStocks(inventoryStocks), origin: "inventory" as const }
      : legacy !== null
        ? { goodsId, stocks: importedStocks(legacy), origin: "legacy" as const }
        : null;
  return {
    goodsId,
    comparison,
    rows: [...live, ...deleted],
    chosen,
    multipleRows: live.length > 1,
    target,
    goodsImported,
  };
}

/** Inventory rows of a goods id that is not a live goods (missing or soft-deleted): reported, never imported. */
export function decideOrphan(goodsId: number, goodsRows: SourceInventory[]): GoodsStock {
  const stock = decideStock(goodsId, null, goodsRows, false);
  if (!stock.chosen) return stock; // only soft-deleted rows: nothing left to be an orphan
  return {
    ...stock,
    comparison: { ...stock.comparison, class: classify(false, null, stock.comparison.inventoryStocks) },
  };
}

/** What became of each source row, for emshop_inventory_backup. */
export function backupDecision(stock: GoodsStock, row: SourceInventory, goodsLive: boolean): BackupDecision {
  if (row.deleted_at !== null) return "soft_deleted";
  if (!goodsLive) return "orphan";
  if (!stock.goodsImported) return "goods_skipped";
  return row.id === stock.chosen?.id ? "chosen" : "not_chosen";
}
