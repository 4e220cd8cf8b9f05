import type { GoodsDb } from "@emshop/db/goods";
import { createLoaders, type Loaders } from "./loaders";

export interface GoodsContext {
  db: GoodsDb;
  loaders: Loaders;
}

/** A fresh context (and fresh loaders) for every request. */
export const createContext = (db: GoodsDb): GoodsContext => ({ db, loaders: createLoaders(db) });
