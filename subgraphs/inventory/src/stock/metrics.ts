import { isDatabaseUnavailable } from "@emshop/common/database-unavailable";
import { ErrorCode } from "@emshop/common/errors";
import { Counter, cachedRead, type Registry, readGauge, within } from "@emshop/common/metrics/registry";
import type { InventoryDb } from "@emshop/db/inventory";
import type { LowStockOptions } from "./low-stock";

/** The stock changes `stock_changes_total` counts, one per mutation. */
export type StockChangeKind =
  | "SET"
  | "ADJUST"
  | "BATCH_SET"
  | "SELL"
  | "REBACK"
  | "THRESHOLD"
  | "HOLD"
  | "CONFIRM"
  | "RELEASE";

/** Error codes that get their own outcome label; any other failure is OTHER. */
const OUTCOME_CODES = new Set([
  "INSUFFICIENT_STOCK",
  "VERSION_CONFLICT",
  "ORDER_CANCELLED",
  "ORDER_CONFLICT",
  "IDEMPOTENCY_CONFLICT",
  "NOT_FOUND",
  "BAD_USER_INPUT",
  "HOLD_EXPIRED",
  "HOLD_NOT_FOUND",
  "HOLD_RELEASED",
  "BELOW_HELD",
]);

/**
 * The outcome label of a failed stock change: its `extensions.code` if known,
 * DATABASE_UNAVAILABLE for a database that could not be reached (as the
 * caller is answered), else OTHER.
 */
export function failureOutcome(error: unknown): string {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  if (typeof code === "string") return OUTCOME_CODES.has(code) ? code : "OTHER";
  return isDatabaseUnavailable(error) ? ErrorCode.DatabaseUnavailable : "OTHER";
}

export interface StockMetrics {
  changed(kind: StockChangeKind, outcome: string): void;
  sold(units: number): void;
  returned(units: number): void;
}

/** The counters of stock changes and of units sold and returned. */
export function stockMetrics(registry: Registry): StockMetrics {
  const changes = new Counter({
    name: "stock_changes_total",
    help: "Stock mutations, by kind and outcome (OK or the error code)",
    labelNames: ["kind", "outcome"] as const,
    registers: [registry],
  });
  const sold = new Counter({
    name: "stock_units_sold_total",
    help: "Units taken from stock by sellStock (idempotent replays not counted)",
    registers: [registry],
  });
  const returned = new Counter({
    name: "stock_units_returned_total",
    help: "Units given back by rebackStock (repeated rebacks not counted)",
    registers: [registry],
  });
  return {
    changed: (kind, outcome) => changes.inc({ kind, outcome }),
    sold: (units) => sold.inc(units),
    returned: (units) => returned.inc(units),
  };
}

/** How long one answer of the stock-level query is reused: scrapes come every few seconds, the table may be big. */
const LEVELS_TTL_MS = 10_000;
/** A scrape waits this long for the query at most; then the gauges have no value this time. */
const LEVELS_TIMEOUT_MS = 1000;

/**
 * `inventory_goods_out_of_stock` and `inventory_goods_low_stock` (in stock,
 * at or below the threshold in force), from one query at scrape time, cached
 * for 10 s. When the database does not answer, the gauges show no value
 * (the scrape itself still succeeds).
 */
export function stockLevelMetrics(registry: Registry, db: InventoryDb, options: LowStockOptions) {
  const levels = cachedRead(async () => {
    const [row] = await within(
      db.sql.query<{ out: number; low: number }>(
        `SELECT count(*) FILTER (WHERE stocks <= 0)::int AS out,
                count(*) FILTER (WHERE stocks > 0 AND stocks <= COALESCE(low_stock_threshold, $1))::int AS low
           FROM inventory`,
        [options.defaultThreshold],
      ),
      LEVELS_TIMEOUT_MS,
    );
    return row;
  }, LEVELS_TTL_MS);
  readGauge(
    registry,
    "inventory_goods_out_of_stock",
    "Goods with no stock left (refreshed at most every 10 s)",
    async () => (await levels())?.out,
  );
  readGauge(
    registry,
    "inventory_goods_low_stock",
    "Goods in stock but at or below their low-stock threshold (refreshed at most every 10 s)",
    async () => (await levels())?.low,
  );
}
