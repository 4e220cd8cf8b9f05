import type { AuthContext } from "@emshop/common/auth/access-rules";
import { type AuthState, anonymous } from "@emshop/common/auth/verify";
import type { CatalogCache, GoodsServiceDb } from "./catalog-cache";
import { createLoaders, type Loaders } from "./loaders";

/** Bounds of the catalog's search that an operator may tune (GOODS settings). */
export interface SearchOptions {
  /** Longest `keywords` filter accepted: each character costs the database work on every row it scans. */
  maxKeywordsLength: number;
}

export const DEFAULT_SEARCH: SearchOptions = { maxKeywordsLength: 100 };

export interface GoodsContext extends AuthContext {
  db: GoodsServiceDb;
  /** The service's catalog cache (none in unit tests, or when turned off). */
  catalog?: CatalogCache;
  loaders: Loaders;
  search: SearchOptions;
}

/** A fresh context (and fresh loaders) for every request; `auth` is the verified caller. */
export const createContext = (
  db: GoodsServiceDb,
  request: { auth?: AuthState } = {},
  search: SearchOptions = DEFAULT_SEARCH,
): GoodsContext => ({
  db,
  ...(db.catalog ? { catalog: db.catalog } : {}),
  loaders: createLoaders(db, db.catalog),
  auth: request.auth ?? anonymous,
  search,
});
