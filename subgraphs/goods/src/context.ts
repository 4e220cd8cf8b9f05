import type { AuthContext } from "@emshop/common/auth/access-rules";
import { type AuthState, anonymous } from "@emshop/common/auth/verify";
import type { CatalogCache, GoodsServiceDb } from "./catalog-cache";
import { createLoaders, type Loaders } from "./loaders";
import type { GoodsReads } from "./read-replicas";

/** Bounds of the catalog's search that an operator may tune (GOODS settings). */
export interface SearchOptions {
  /** Longest `keywords` filter accepted: each character costs the database work on every row it scans. */
  maxKeywordsLength: number;
}

export const DEFAULT_SEARCH: SearchOptions = { maxKeywordsLength: 100 };

export interface GoodsContext extends AuthContext {
  /** The primary: every write, and every read of a mutation. */
  db: GoodsServiceDb;
  /**
   * Where this request's catalog reads go: a read replica when
   * GOODS_DATABASE_REPLICA_URLS is set, else the primary. A mutation request
   * reads the primary throughout (set by ./read-your-writes.ts before it runs).
   */
  reads: GoodsReads;
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
): GoodsContext => {
  const context: Omit<GoodsContext, "loaders"> & { loaders?: Loaders } = {
    db,
    reads: db.reads ?? db,
    ...(db.catalog ? { catalog: db.catalog } : {}),
    auth: request.auth ?? anonymous,
    search,
  };
  context.loaders = createLoaders(context, db.catalog);
  return context as GoodsContext;
};
