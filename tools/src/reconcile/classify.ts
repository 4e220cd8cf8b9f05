/**
 * How the legacy `goods.stocks` of one goods compares with inventory.
 * Inventory wins every disagreement: it is the one source of truth for stock.
 */
export const STOCK_CLASSES = [
  /** Both present and equal. */
  "match",
  /** Both present, different values; inventory's value stays. */
  "drift",
  /** Legacy stock but no inventory row; the row is created from the legacy value. */
  "missing_inventory",
  /**
   * No legacy value, but an inventory row: already what the migration leads to,
   * nothing to repair. Counted on its own so the classes add up to the goods.
   */
  "inventory_only",
  /** An inventory row for a goods id that goods does not have; reported, never deleted. */
  "orphan_inventory",
  /** Neither has a value; reported (the goods will show no stock until someone sets it). */
  "no_stock_anywhere",
] as const;

export type StockClass = (typeof STOCK_CLASSES)[number];

/** One goods id seen by the reconciliation, with both values. */
export interface StockComparison {
  goodsId: number;
  /** goods.stocks; null when the goods has none or does not exist (orphans). */
  legacyStocks: number | null;
  /** null when inventory has no row. */
  inventoryStocks: number | null;
  class: StockClass;
}

export function classify(goodsExists: boolean, legacy: number | null, inventory: number | null): StockClass {
  if (!goodsExists) return "orphan_inventory";
  if (legacy === null) return inventory === null ? "no_stock_anywhere" : "inventory_only";
  if (inventory === null) return "missing_inventory";
  return legacy === inventory ? "match" : "drift";
}

/**
 * The stock a missing inventory row is created with. Inventory cannot hold a
 * negative stock (an oversold legacy goods), so such a row starts at 0; the
 * exact legacy value stays in the backup and the report.
 */
export const importedStocks = (legacy: number) => Math.max(legacy, 0);

/** What --apply does (or did) about one goods, for the report. */
export function resolution(row: StockComparison): string {
  switch (row.class) {
    case "match":
    case "inventory_only":
      return "none";
    case "drift":
      return "keep inventory";
    case "missing_inventory":
      return `create inventory row with ${importedStocks(row.legacyStocks ?? 0)}`;
    case "orphan_inventory":
    case "no_stock_anywhere":
      return "report only";
  }
}
