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
  /** No legacy value, but an inventory row: nothing to repair. */
  "inventory_only",
  /** An inventory row for a goods id that goods does not have; reported, never deleted. */
  "orphan_inventory",
  /** Neither has a value; reported. */
  "no_stock_anywhere",
] as const;

export type StockClass = (typeof STOCK_CLASSES)[number];

/** One goods id seen by the reconciliation, with both values. */
export interface StockComparison {
  goodsId: number;
  /** Whether the goods database has this goods at all. */
  goodsExists: boolean;
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
