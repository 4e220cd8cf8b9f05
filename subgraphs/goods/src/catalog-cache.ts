import type { Brand, Category, CategoryBrand, GoodsDb } from "@emshop/db/goods";
import type { NotificationListener } from "@emshop/db/notifications";
import { CountMemo, type CountMemoOptions } from "./count-memo";
import type { GoodsReads } from "./read-replicas";

/**
 * The NOTIFY channel of migrations/goods/0004 and 0006; the payload is the
 * table that changed (category, brand, category_brand, goods).
 */
export const CATALOG_CHANNEL = "catalog_changed";

/** The payload of a goods write: it changes counts, not the category tree or brands. */
const GOODS_TABLE = "goods";

/** Counts remembered unless told otherwise (GOODS_COUNT_CACHE_ENTRIES, GOODS_COUNT_CACHE_TTL_MS). */
export const DEFAULT_COUNT_CACHE: CountMemoOptions = { maxEntries: 10_000, ttlMs: 60_000 };

export type CategoryBrandWithBrand = CategoryBrand & { brand: Brand };

/** The category tree, the brands and their pairing, as one consistent copy. */
export interface CatalogSnapshot {
  categoryById: ReadonlyMap<number, Category>;
  /** Children of each category id, by id; level-1 categories under 0. */
  childrenOf: ReadonlyMap<number, readonly Category[]>;
  brandById: ReadonlyMap<number, Brand>;
  /** Each category's brand pairs (with the brand), by brand id. */
  brandsOf: ReadonlyMap<number, readonly CategoryBrandWithBrand[]>;
}

function groupBy<Row>(rows: readonly Row[], keyOf: (row: Row) => number) {
  const groups = new Map<number, Row[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/**
 * Reads the three tables: three statements, once per change of any of them.
 * Always on the primary, never a replica: the copy is dropped when the
 * primary's NOTIFY arrives, and a replica may not have replayed that change
 * yet, so a copy loaded there could keep the old catalog until the next change.
 */
async function loadSnapshot(db: GoodsDb): Promise<CatalogSnapshot> {
  const [categories, brands, pairs] = await Promise.all([
    db.prisma.category.findMany({ orderBy: { id: "asc" } }),
    db.prisma.brand.findMany({ orderBy: { id: "asc" } }),
    db.prisma.categoryBrand.findMany({ orderBy: [{ categoryId: "asc" }, { brandId: "asc" }] }),
  ]);
  const brandById = new Map(brands.map((brand) => [brand.id, brand]));
  const withBrand = pairs.flatMap((pair) => {
    const brand = brandById.get(pair.brandId);
    return brand ? [{ ...pair, brand }] : []; // a pair read before its brand committed: left out
  });
  return {
    categoryById: new Map(categories.map((category) => [category.id, category])),
    childrenOf: groupBy(categories, (category) => category.parentId ?? 0),
    brandById,
    brandsOf: groupBy(withBrand, (pair) => pair.categoryId),
  };
}

/**
 * The goods subgraph's copy of the small, read-mostly part of the catalog:
 * categories, brands and which brands a category has. Without it a catalog
 * page costs four statements (goods, count, categories, brands); with it two.
 *
 * Kept correct across replicas by PostgreSQL LISTEN/NOTIFY: a trigger on each
 * table notifies `catalog_changed` at commit, and every replica drops its copy
 * (the next read loads a new one). A replica's own writes drop it at once, so
 * a mutation's answer never shows the catalog as it was. While the listening
 * connection is down, notifications may be missed, so the cache is not used
 * at all (every read goes to the database) and the copy is dropped when
 * listening resumes.
 *
 * It also holds the goods counts of recent filters (./count-memo.ts), on the
 * same notifications: any change of goods, categories or brands forgets them.
 */
export class CatalogCache {
  #listening = false;
  #snapshot: Promise<CatalogSnapshot> | undefined;
  #listener: NotificationListener | undefined;
  #loads = 0;
  readonly #counts: CountMemo | undefined;

  private constructor(
    private readonly db: GoodsDb,
    counts: CountMemoOptions,
  ) {
    this.#counts = counts.maxEntries > 0 ? new CountMemo(counts) : undefined;
  }

  /** A cache listening on `db`'s notifications (resolves once the first LISTEN was tried). */
  static async start(db: GoodsDb, counts: CountMemoOptions = DEFAULT_COUNT_CACHE): Promise<CatalogCache> {
    const cache = new CatalogCache(db, counts);
    cache.#listener = await db.listen(CATALOG_CHANNEL, {
      onNotify: (table) => {
        if (table === GOODS_TABLE) cache.invalidateCounts();
        else cache.invalidate();
      },
      onListening: (listening) => {
        cache.#listening = listening;
        cache.invalidate();
      },
    });
    return cache;
  }

  /** The remembered goods counts; undefined while changes could be missed or when turned off (count in SQL). */
  counts(): CountMemo | undefined {
    return this.#listening ? this.#counts : undefined;
  }

  /** Forgets the goods counts (a goods write of this replica; other replicas hear the NOTIFY). */
  invalidateCounts() {
    this.#counts?.clear();
  }

  /** The current copy, loading it if needed; undefined while changes could be missed (read the database). */
  snapshot(): Promise<CatalogSnapshot> | undefined {
    if (!this.#listening) return undefined;
    if (!this.#snapshot) {
      const loading = loadSnapshot(this.db);
      this.#loads++;
      this.#snapshot = loading;
      // A failed load is not kept: the next read tries again.
      loading.catch(() => {
        if (this.#snapshot === loading) this.#snapshot = undefined;
      });
    }
    return this.#snapshot;
  }

  /**
   * Drops the copy and the counts. A load already under way still answers the
   * reads that started before the change; reads after it load anew.
   */
  invalidate() {
    this.#snapshot = undefined;
    this.#counts?.clear();
  }

  /** Whether reads are served from memory (for metrics and tests). */
  get listening() {
    return this.#listening;
  }

  /** How many copies were loaded so far (for metrics and tests). */
  get loads() {
    return this.#loads;
  }

  async close() {
    this.#listening = false;
    this.invalidate();
    await this.#listener?.close();
  }
}

/**
 * The goods database as the service holds it: with its catalog cache, unless
 * that is turned off, and with read replicas for the catalog queries when
 * configured (`reads`; without, they read `db` itself).
 */
export type GoodsServiceDb = GoodsDb & { catalog?: CatalogCache; reads?: GoodsReads };

/** Adds a listening catalog cache to `db`; closing the database stops it first. */
export async function withCatalogCache<Db extends GoodsDb>(
  db: Db,
  counts: CountMemoOptions = DEFAULT_COUNT_CACHE,
): Promise<Db & { catalog: CatalogCache }> {
  const catalog = await CatalogCache.start(db, counts);
  const close = db.close.bind(db);
  return Object.assign(db, {
    catalog,
    async close() {
      await catalog.close();
      await close();
    },
  });
}
