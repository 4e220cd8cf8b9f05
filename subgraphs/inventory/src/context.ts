import type { InventoryDb } from "@emshop/db/inventory";
import { createLoaders, type Loaders } from "./loaders";

export interface InventoryContext {
  db: InventoryDb;
  loaders: Loaders;
}

/** A fresh context (and fresh loaders) for every request. */
export const createContext = (db: InventoryDb): InventoryContext => ({ db, loaders: createLoaders(db) });
