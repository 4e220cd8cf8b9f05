import type { Brand, Category, CategoryBrand, GoodsDb } from "@emshop/db/goods";
import type { NotificationListener } from "@emshop/db/notifications";

/** The NOTIFY channel of migrations/goods/0004 (category, brand or category_brand changed). */
export const CATALOG_CHANNEL = "catalog_changed";

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

/** Reads the three tables: three statements, once per change of any of them. */
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
 */
export class CatalogCache {
  #listening = false;
  #snapshot: Promise<CatalogSnapshot> | undefined;
  #listener: NotificationListener | undefined;
  #loads = 0;

  private constructor(private readonly db: GoodsDb) {}

  /** A cache listening on `db`'s notifications (resolves once the first LISTEN was tried). */
  static async start(db: GoodsDb): Promise<CatalogCache> {
    const cache = new CatalogCache(db);
    cache.#listener = await db.listen(CATALOG_CHANNEL, {
      onNotify: () => cache.invalidate(),
      onListening: (listening) => {
        cache.#listening = listening;
        cache.invalidate();
      },
    });
    return cache;
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
   * Drops the copy. A load already under way still answers the reads that
   * started before the change; reads after it load anew.
   */
  invalidate() {
    this.#snapshot = undefined;
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
    this.#snapshot = undefined;
    await this.#listener?.close();
  }
}

/** The goods database as the service holds it: with its catalog cache, unless that is turned off. */
export type GoodsServiceDb = GoodsDb & { catalog?: CatalogCache };

/** Adds a listening catalog cache to `db`; closing the database stops it first. */
export async function withCatalogCache(db: GoodsDb): Promise<GoodsServiceDb> {
  const catalog = await CatalogCache.start(db);
  const close = db.close.bind(db);
  return Object.assign(db, {
    catalog,
    async close() {
      await catalog.close();
      await close();
    },
  });
}
