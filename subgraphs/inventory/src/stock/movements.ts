import { badUserInput } from "@emshop/common/errors";
import type { InventoryDb, StockMovement } from "@emshop/db/inventory";

export const MAX_MOVEMENTS_PAGE = 100;

// Cursors are opaque to clients; inside they are the last movement id seen.
const encodeCursor = (id: bigint) => Buffer.from(`movement:${id}`).toString("base64url");

/** stock_movement.id is a BIGSERIAL: a cursor beyond it could only fail in the database. */
const INT64_MAX = 2n ** 63n - 1n;

/** Any cursor that is not one this API handed out is the client's mistake (BAD_USER_INPUT), never a driver error. */
function decodeCursor(cursor: string): bigint {
  const match = cursor.length <= 64 ? /^movement:(\d{1,19})$/.exec(Buffer.from(cursor, "base64url").toString()) : null;
  const id = match?.[1] ? BigInt(match[1]) : undefined;
  if (id === undefined || id < 1n || id > INT64_MAX)
    throw badUserInput("after", "is not a cursor returned by stockMovements");
  return id;
}

/** One page of a goods' ledger, newest first (by id, served by the (goods_id, id desc) index). */
export async function listMovements(db: InventoryDb, goodsId: number, first: number, after: string | null) {
  if (!Number.isInteger(first) || first < 1 || first > MAX_MOVEMENTS_PAGE)
    throw badUserInput("first", `must be between 1 and ${MAX_MOVEMENTS_PAGE}`);
  const rows: StockMovement[] = await db.prisma.stockMovement.findMany({
    where: { goodsId, ...(after ? { id: { lt: decodeCursor(after) } } : {}) },
    orderBy: { id: "desc" },
    take: first + 1, // one more tells whether there is a next page
  });
  const items = rows.slice(0, first);
  const last = items.at(-1);
  return { items, endCursor: last ? encodeCursor(last.id) : null, hasNextPage: rows.length > first };
}
