import type { Brand, Category, Goods, GoodsDb } from "@emshop/db/goods";
import DataLoader from "dataloader";

/** Loads rows by id in one query per batch; missing ids resolve to null. */
function byId<Row extends { id: number }>(load: (ids: number[]) => Promise<Row[]>) {
  return new DataLoader<number, Row | null>(async (ids) => {
    const rows = new Map((await load([...ids])).map((row) => [row.id, row]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

/** Per-request loaders, so a page of goods resolves its categories and brands in one query each. */
export function createLoaders(db: GoodsDb) {
  return {
    categoryById: byId<Category>((ids) => db.prisma.category.findMany({ where: { id: { in: ids } } })),
    goodsById: byId<Goods>((ids) => db.prisma.goods.findMany({ where: { id: { in: ids } } })),
    brandById: byId<Brand>((ids) => db.prisma.brand.findMany({ where: { id: { in: ids } } })),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
