import { badUserInput } from "@emshop/common/errors";
import type { Goods } from "@emshop/db/goods";
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from "graphql";

/** What `goodsList` resolves to: the page, and its total counted only if asked for. */
export interface GoodsPageModel {
  items: Goods[];
  page: number;
  pageSize: number;
  endCursor: string | null;
  hasNextPage: boolean;
  total: () => Promise<number>;
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
