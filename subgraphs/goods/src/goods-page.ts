import { badUserInput } from "@emshop/common/errors";
import type { Goods } from "@emshop/db/goods";
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from "graphql";
import { type GoodsCriteria, sqlWhere } from "./goods-filter";
import type { GoodsReads } from "./read-replicas";

/** What `goodsList` resolves to: the page, and its counts, run only if asked for. */
export interface GoodsPageModel {
  items: Goods[];
  page: number;
  pageSize: number;
  endCursor: string | null;
  hasNextPage: boolean;
  /** The exact count of the filter's goods. */
  total: () => Promise<number>;
  /** The filter's goods counted up to `max` (the count stops reading there). */
  countUpTo: (max: number) => Promise<number>;
}

const CURSOR_PREFIX = "goods:";

/** Opaque to clients (base64url), so its form can change without breaking them. */
export const goodsCursor = (id: number) => Buffer.from(`${CURSOR_PREFIX}${id}`).toString("base64url");

/** The goods id an `after` cursor stands for; anything that is not one of ours is BAD_USER_INPUT. */
export function parseGoodsCursor(cursor: string): number {
  const text = cursor.length <= 40 ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const id = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1 || goodsCursor(id) !== cursor)
    throw badUserInput("after", "is not a cursor from goodsList (use a page's endCursor)");
  return id;
}

/** Whether the query selects `field` on this resolver's result (through fragments too). */
export function selects(info: GraphQLResolveInfo, field: string): boolean {
  const visit = (selections: SelectionSetNode | undefined): boolean =>
    (selections?.selections ?? []).some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === field;
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      return visit(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}

/**
 * The goods matching `criteria`, counted up to `max`. Raw SQL because Prisma's
 * `count({ where, take })` orders its subquery by id: PostgreSQL then walks
 * goods_pkey filtering row by row (40–60 ms for a brand or a common keyword
 * at a million goods) where, unordered, the filter's own index or a scan that
 * stops at the max-th match answers in a few ms.
 */
export async function countGoodsUpTo(db: GoodsReads, criteria: GoodsCriteria, max: number): Promise<number> {
  const { condition, values } = sqlWhere(criteria);
  const [row] = await db.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM goods WHERE ${condition} LIMIT $${values.length + 1}) AS capped`,
    [...values, max],
  );
  return row?.n ?? 0;
}
