import type { Brand, Category, Goods } from "@emshop/db/goods";
import DataLoader from "dataloader";
import type { CatalogCache, CatalogSnapshot } from "./catalog-cache";
import type { GoodsReads } from "./read-replicas";

/** Loads rows by id in one query per batch; missing ids resolve to null. */
function byId<Row extends { id: number }>(load: (ids: number[]) => Promise<Row[]>) {
  return new DataLoader<number, Row | null>(async (ids) => {
    const rows = new Map((await load([...ids])).map((row) => [row.id, row]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

/** Loads the rows belonging to each key in one query per batch; keys without rows get []. */
function groupedBy<Row>(load: (keys: number[]) => Promise<Row[]>, keyOf: (row: Row) => number) {
  return new DataLoader<number, Row[]>(async (keys) => {
    const groups = new Map<number, Row[]>();
    for (const row of await load([...keys])) {
      const key = keyOf(row);
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/** The rows of `ids` found in a snapshot's map. */
const pick = <Row>(map: ReadonlyMap<number, Row>, ids: readonly number[]) =>
  ids.flatMap((id) => {
    const row = map.get(id);
    return row ? [row] : [];
  });

/**
 * Per-request loaders, so a page of goods resolves its categories and brands
 * in one query each, or in none while the catalog cache has a copy. They read
 * where `source.reads` points when a batch runs: a replica for a query, the
 * primary once the request turned out to be a mutation (./read-your-writes.ts).
 */
export function createLoaders(source: { readonly reads: GoodsReads }, catalog?: CatalogCache) {
  /** Read when each batch runs, not when the loaders are made. */
  const prisma = () => source.reads.prisma;
  /** From the cache's copy when there is one, else with `query`. */
  const cached =
    <Row>(
      fromSnapshot: (snapshot: CatalogSnapshot, keys: number[]) => Row[],
      query: (keys: number[]) => Promise<Row[]>,
    ) =>
    async (keys: number[]) => {
      const snapshot = await catalog?.snapshot();
      return snapshot ? fromSnapshot(snapshot, keys) : query(keys);
    };
  return {
    categoryById: byId<Category>(
      cached(
        (snapshot, ids) => pick(snapshot.categoryById, ids),
        (ids) => prisma().category.findMany({ where: { id: { in: ids } } }),
      ),
    ),
    goodsById: byId<Goods>((ids) => prisma().goods.findMany({ where: { id: { in: ids } } })),
    brandById: byId<Brand>(
      cached(
        (snapshot, ids) => pick(snapshot.brandById, ids),
        (ids) => prisma().brand.findMany({ where: { id: { in: ids } } }),
      ),
    ),
    childrenByCategoryId: groupedBy(
      cached(
        (snapshot, ids) => ids.flatMap((id) => snapshot.childrenOf.get(id) ?? []),
        (ids) => prisma().category.findMany({ where: { parentId: { in: ids } }, orderBy: { id: "asc" } }),
      ),
      (category) => category.parentId ?? 0,
    ),
    brandsByCategoryId: groupedBy(
      cached(
        (snapshot, ids) => ids.flatMap((id) => snapshot.brandsOf.get(id) ?? []),
        (ids) =>
          prisma().categoryBrand.findMany({
            where: { categoryId: { in: ids } },
            include: { brand: true },
            orderBy: { brandId: "asc" },
          }),
      ),
      (pair) => pair.categoryId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
