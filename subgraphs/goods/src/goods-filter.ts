import { badUserInput, parseId } from "@emshop/common/errors";
import type { Prisma } from "@emshop/db/goods";
import type { CatalogCache } from "./catalog-cache";
import { DEFAULT_SEARCH, type SearchOptions } from "./context";
import type { GoodsFilter } from "./generated/resolvers-types";
import type { GoodsReads } from "./read-replicas";

/** Ids of a category and all its descendants (the tree is at most 3 levels deep). */
async function categoryAndDescendants(db: GoodsReads, rootId: number, catalog?: CatalogCache): Promise<number[]> {
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

/** A GoodsFilter once validated, with its category subtree resolved: what both query forms below are built from. */
export interface GoodsCriteria {
  priceMin?: number;
  priceMax?: number;
  isHot?: boolean;
  isNew?: boolean;
  onSale?: boolean;
  isTab?: boolean;
  brandId?: number;
  categoryIds?: number[];
  /** A LIKE pattern body (escaped), matched anywhere in name or brief, case-insensitive. */
  keywords?: string;
}

/** Validates every field of the public GoodsFilter (BAD_USER_INPUT on the first bad one). */
export async function goodsCriteria(
  db: GoodsReads,
  filter: GoodsFilter | null | undefined,
  search: SearchOptions = DEFAULT_SEARCH,
  catalog?: CatalogCache,
): Promise<GoodsCriteria> {
  if (!filter) return {};
  const keywords = keywordsOf(filter, search); // first: a refused keyword costs no category query
  const priceMin = finite("filter.priceMin", filter.priceMin);
  const priceMax = finite("filter.priceMax", filter.priceMax);
  if (priceMin !== undefined && priceMax !== undefined && priceMin > priceMax) {
    throw badUserInput("filter.priceMin", "must not be greater than filter.priceMax");
  }
  const criteria: GoodsCriteria = {};
  if (priceMin !== undefined) criteria.priceMin = priceMin;
  if (priceMax !== undefined) criteria.priceMax = priceMax;
  if (filter.isHot != null) criteria.isHot = filter.isHot;
  if (filter.isNew != null) criteria.isNew = filter.isNew;
  if (filter.onSale != null) criteria.onSale = filter.onSale;
  if (filter.isTab != null) criteria.isTab = filter.isTab;
  if (filter.brand != null) criteria.brandId = parseId(filter.brand, "filter.brand");
  if (filter.topCategory != null) {
    const root = parseId(filter.topCategory, "filter.topCategory");
    criteria.categoryIds = await categoryAndDescendants(db, root, catalog);
  }
  if (keywords) criteria.keywords = keywords;
  return criteria;
}

/** The criteria as a Prisma where clause (pages and the exact count). */
export function prismaWhere(criteria: GoodsCriteria): Prisma.GoodsWhereInput {
  const where: Prisma.GoodsWhereInput = {};
  const { priceMin, priceMax, keywords } = criteria;
  if (priceMin !== undefined || priceMax !== undefined) where.shopPrice = { gte: priceMin, lte: priceMax };
  if (criteria.isHot !== undefined) where.isHot = criteria.isHot;
  if (criteria.isNew !== undefined) where.isNew = criteria.isNew;
  if (criteria.onSale !== undefined) where.onSale = criteria.onSale;
  if (criteria.isTab !== undefined) where.category = { isTab: criteria.isTab };
  if (criteria.brandId !== undefined) where.brandId = criteria.brandId;
  if (criteria.categoryIds) where.categoryId = { in: criteria.categoryIds };
  if (keywords) {
    where.OR = [
      { name: { contains: keywords, mode: "insensitive" } },
      { brief: { contains: keywords, mode: "insensitive" } },
    ];
  }
  return where;
}

/**
 * The same criteria as a SQL condition on `goods` with its parameters, for the
 * one statement Prisma cannot send: a count that stops after n rows without
 * ordering them (see goods-page.ts). The tests compare its counts with
 * Prisma's `total` for every filter field, so the two forms cannot drift apart.
 */
export function sqlWhere(criteria: GoodsCriteria): { condition: string; values: unknown[] } {
  const values: unknown[] = [];
  const parts: string[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (criteria.priceMin !== undefined) parts.push(`shop_price >= ${param(criteria.priceMin)}`);
  if (criteria.priceMax !== undefined) parts.push(`shop_price <= ${param(criteria.priceMax)}`);
  if (criteria.isHot !== undefined) parts.push(`is_hot = ${param(criteria.isHot)}`);
  if (criteria.isNew !== undefined) parts.push(`is_new = ${param(criteria.isNew)}`);
  if (criteria.onSale !== undefined) parts.push(`on_sale = ${param(criteria.onSale)}`);
  if (criteria.isTab !== undefined)
    parts.push(`category_id IN (SELECT id FROM category WHERE is_tab = ${param(criteria.isTab)})`);
  if (criteria.brandId !== undefined) parts.push(`brand_id = ${param(criteria.brandId)}`);
  if (criteria.categoryIds) parts.push(`category_id = ANY(${param(criteria.categoryIds)}::int[])`);
  if (criteria.keywords) {
    // The escaped pattern body, as Prisma's `contains` + insensitive sends it (backslash escapes).
    const pattern = param(`%${criteria.keywords}%`);
    parts.push(`(name ILIKE ${pattern} OR brief ILIKE ${pattern})`);
  }
  return { condition: parts.length ? parts.join(" AND ") : "TRUE", values };
}
