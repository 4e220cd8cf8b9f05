import { badUserInput, parseId } from "@emshop/common/errors";
import type { GoodsDb, Prisma } from "@emshop/db/goods";
import type { CatalogCache } from "./catalog-cache";
import { DEFAULT_SEARCH, type SearchOptions } from "./context";
import type { GoodsFilter } from "./generated/resolvers-types";

/** Ids of a category and all its descendants (the tree is at most 3 levels deep). */
async function categoryAndDescendants(db: GoodsDb, rootId: number, catalog?: CatalogCache): Promise<number[]> {
  const snapshot = await catalog?.snapshot();
  if (snapshot) {
    if (!snapshot.categoryById.has(rootId)) return [];
    const ids = [rootId];
    for (let i = 0; i < ids.length; i++)
      for (const child of snapshot.childrenOf.get(ids[i] as number) ?? []) ids.push(child.id);
    return ids;
  }
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

/**
 * A keyword as a literal LIKE pattern: Prisma's `contains` passes `%`, `_` and
 * `\` through as wildcards (so `"%"` matched every goods); PostgreSQL's LIKE
 * escape character is the backslash.
 */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

function keywordsOf(filter: GoodsFilter, search: SearchOptions): string | undefined {
  const keywords = filter.keywords?.trim();
  if (!keywords) return undefined;
  // Counted in code points, as the database compares them.
  const length = [...keywords].length;
  if (length > search.maxKeywordsLength)
    throw badUserInput("filter.keywords", `must be at most ${search.maxKeywordsLength} characters, got ${length}`, {
      max: search.maxKeywordsLength,
    });
  return escapeLike(keywords);
}

/** Turns the public GoodsFilter into a Prisma where clause, validating every field. */
export async function goodsWhere(
  db: GoodsDb,
  filter: GoodsFilter | null | undefined,
  search: SearchOptions = DEFAULT_SEARCH,
  catalog?: CatalogCache,
): Promise<Prisma.GoodsWhereInput> {
  if (!filter) return {};
  const keywords = keywordsOf(filter, search); // first: a refused keyword costs no category query
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
    where.categoryId = {
      in: await categoryAndDescendants(db, parseId(filter.topCategory, "filter.topCategory"), catalog),
    };
  }
  if (keywords) {
    where.OR = [
      { name: { contains: keywords, mode: "insensitive" } },
      { brief: { contains: keywords, mode: "insensitive" } },
    ];
  }
  return where;
}
