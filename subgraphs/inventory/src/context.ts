import { type AuthContext, actorOf } from "@emshop/common/auth/access-rules";
import { type AuthState, anonymous } from "@emshop/common/auth/verify";
import type { InventoryDb } from "@emshop/db/inventory";
import { createLoaders, type Loaders } from "./loaders";
import type { SellCoalescer } from "./stock/group-commit";
import { DEFAULT_HOLDS, type HoldOptions } from "./stock/hold-options";
import { DEFAULT_LOW_STOCK, type LowStockOptions } from "./stock/low-stock";
import type { StockMetrics } from "./stock/metrics";

export interface InventoryContext extends AuthContext {
  db: InventoryDb;
  loaders: Loaders;
  /**
   * Who is acting, written to the ledger: the verified token's subject with its
   * role or client ("alice (admin)"), null for an anonymous caller. Never taken
   * from a header the caller could set.
   */
  actor: string | null;
  lowStock: LowStockOptions;
  /** Hold TTL bounds and the clock every hold decision and stock read goes by. */
  holds: HoldOptions;
  /** Where stock changes are counted (none in tests that build contexts directly). */
  stockMetrics?: StockMetrics;
  /** The process's group commit of sells; without, each sell is its own statement. */
  sells?: SellCoalescer;
}

/** A fresh context (and fresh loaders) for every request; `auth` is the verified caller. */
export const createContext = (
  db: InventoryDb,
  request: { auth?: AuthState } = {},
  lowStock: LowStockOptions = DEFAULT_LOW_STOCK,
  stockMetrics?: StockMetrics,
  holds: HoldOptions = DEFAULT_HOLDS,
  sells?: SellCoalescer,
): InventoryContext => {
  const auth = request.auth ?? anonymous;
  return {
    db,
    loaders: createLoaders(db, holds.clock),
    auth,
    actor: actorOf(auth),
    lowStock,
    holds,
    ...(stockMetrics ? { stockMetrics } : {}),
    ...(sells ? { sells } : {}),
  };
};
