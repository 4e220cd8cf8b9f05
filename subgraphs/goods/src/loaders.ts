import type { Brand, Category, Goods, GoodsDb } from "@emshop/db/goods";
import DataLoader from "dataloader";

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

/** Per-request loaders, so a page of goods resolves its categories and brands in one query each. */
export function createLoaders(db: GoodsDb) {
  return {
    categoryById: byId<Category>((ids) => db.prisma.category.findMany({ where: { id: { in: ids } } })),
    goodsById: byId<Goods>((ids) => db.prisma.goods.findMany({ where: { id: { in: ids } } })),
    brandById: byId<Brand>((ids) => db.prisma.brand.findMany({ where: { id: { in: ids } } })),
    childrenByCategoryId: groupedBy(
      (ids) => db.prisma.category.findMany({ where: { parentId: { in: ids } }, orderBy: { id: "asc" } }),
      (category) => category.parentId ?? 0,
    ),
    brandsByCategoryId: groupedBy(
      (ids) =>
        db.prisma.categoryBrand.findMany({
          where: { categoryId: { in: ids } },
          include: { brand: true },
          orderBy: { brandId: "asc" },
        }),
      (pair) => pair.categoryId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
