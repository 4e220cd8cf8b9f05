import { badUserInput, parseId } from "@emshop/common/errors";
import type { GoodsDb, Prisma } from "@emshop/db/goods";
import type { GoodsFilter } from "./generated/resolvers-types";

/** Ids of a category and all its descendants (the tree is at most 3 levels deep). */
async function categoryAndDescendants(db: GoodsDb, rootId: number): Promise<number[]> {
  const rows = await db.sql.query<{ id: number }>(
    `WITH RECURSIVE tree AS (
       SELECT id FROM category WHERE id = $1
       UNION ALL
       SELECT c.id FROM category c JOIN tree t ON c.parent_id = t.id
     ) SELECT id FROM tree`,
    [rootId],
  );
  return rows.map((row) => row.id);
}

const finite = (field: string, value: number | null | undefined) => {
  if (value != null && (!Number.isFinite(value) || value < 0))
    throw badUserInput(field, "must be a finite number >= 0");
  return value ?? undefined;
};

/** Turns the public GoodsFilter into a Prisma where clause, validating every field. */
export async function goodsWhere(db: GoodsDb, filter: GoodsFilter | null | undefined): Promise<Prisma.GoodsWhereInput> {
  if (!filter) return {};
  const priceMin = finite("filter.priceMin", filter.priceMin);
  const priceMax = finite("filter.priceMax", filter.priceMax);
  if (priceMin !== undefined && priceMax !== undefined && priceMin > priceMax) {
    throw badUserInput("filter.priceMin", "must not be greater than filter.priceMax");
  }
  const where: Prisma.GoodsWhereInput = {};
  if (priceMin !== undefined || priceMax !== undefined) where.shopPrice = { gte: priceMin, lte: priceMax };
  if (filter.isHot != null) where.isHot = filter.isHot;
  if (filter.isNew != null) where.isNew = filter.isNew;
  if (filter.onSale != null) where.onSale = filter.onSale;
  if (filter.isTab != null) where.category = { isTab: filter.isTab };
  if (filter.brand != null) where.brandId = parseId(filter.brand, "filter.brand");
  if (filter.topCategory != null) {
    where.categoryId = { in: await categoryAndDescendants(db, parseId(filter.topCategory, "filter.topCategory")) };
  }
  const keywords = filter.keywords?.trim();
  if (keywords) {
    where.OR = [
      { name: { contains: keywords, mode: "insensitive" } },
      { brief: { contains: keywords, mode: "insensitive" } },
    ];
  }
  return where;
}
