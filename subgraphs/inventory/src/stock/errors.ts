import { coded } from "@emshop/common/errors";

/** Error codes of stock changes (in `extensions.code`), besides BAD_USER_INPUT and NOT_FOUND. */
export const StockErrorCode = {
  VersionConflict: "VERSION_CONFLICT",
  InsufficientStock: "INSUFFICIENT_STOCK",
  OrderCancelled: "ORDER_CANCELLED",
  OrderConflict: "ORDER_CONFLICT",
  IdempotencyConflict: "IDEMPOTENCY_CONFLICT",
  HoldExpired: "HOLD_EXPIRED",
  HoldNotFound: "HOLD_NOT_FOUND",
  HoldReleased: "HOLD_RELEASED",
  BelowHeld: "BELOW_HELD",
} as const;

/** The row moved on since the caller read it; nothing was changed. */
export const versionConflict = (conflicts: { goodsId: number; expectedVersion: number; currentVersion: number }[]) => {
  const [first] = conflicts;
  return coded(
    StockErrorCode.VersionConflict,
    `stock of goods ${conflicts.map((c) => c.goodsId).join(", ")} changed since it was read (version ${first?.expectedVersion} expected, ${first?.currentVersion} current)`,
    // currentVersion at the top level for the common single-goods case; all of them in `conflicts`.
    { goodsId: String(first?.goodsId), currentVersion: first?.currentVersion, conflicts },
  );
};

export interface Shortage {
  goodsId: number;
  requested: number;
  /** null when inventory has no row for the goods. */
  available: number | null;
}

export const insufficientStock = (shortages: Shortage[]) =>
  coded(
    StockErrorCode.InsufficientStock,
    `insufficient stock for goods ${shortages.map((s) => s.goodsId).join(", ")}`,
    { goodsIds: shortages.map((s) => String(s.goodsId)), shortages },
  );

export const orderCancelled = (orderSn: string) =>
  coded(
    StockErrorCode.OrderCancelled,
    `order ${orderSn} was rolled back before it was sold; its stock cannot be taken any more`,
    { orderSn },
  );

export const orderConflict = (orderSn: string) =>
  coded(
    StockErrorCode.OrderConflict,
    `order ${orderSn} was already sold with different items; an orderSn stands for one set of items`,
    { orderSn },
  );

export const idempotencyConflict = (requestId: string) =>
  coded(
    StockErrorCode.IdempotencyConflict,
    `requestId ${requestId} was already used for a different change; send a fresh requestId for each intended change`,
    { requestId },
  );

export const holdExpired = (orderSn: string) =>
  coded(
    StockErrorCode.HoldExpired,
    `the hold of order ${orderSn} expired and its units are no longer available; nothing was sold`,
    { orderSn },
  );

export const holdNotFound = (orderSn: string) =>
  coded(StockErrorCode.HoldNotFound, `order ${orderSn} holds no stock: call holdStock first`, { orderSn });

export const holdReleased = (orderSn: string, status: string) =>
  coded(
    StockErrorCode.HoldReleased,
    `the hold of order ${orderSn} was ${status.toLowerCase()} before it was confirmed; nothing was sold`,
    { orderSn, status },
  );

export const notAHold = (orderSn: string) =>
  coded(
    StockErrorCode.OrderConflict,
    `order ${orderSn} was sold directly (sellStock), not held; an orderSn either holds or sells`,
    { orderSn },
  );

/** An admin write would leave fewer units on hand than checkouts hold. */
export const belowHeld = (rows: { goodsId: number; held: number; requested: number }[]) =>
  coded(
    StockErrorCode.BelowHeld,
    `stock of goods ${rows.map((row) => row.goodsId).join(", ")} cannot go below the units held for checkouts (${rows[0]?.held} held, ${rows[0]?.requested} requested)`,
    { goodsId: String(rows[0]?.goodsId), held: rows[0]?.held, requested: rows[0]?.requested, rows },
  );

export const heldNotSold = (orderSn: string) =>
  coded(
    StockErrorCode.OrderConflict,
    `order ${orderSn} holds stock (holdStock); confirm the hold with confirmHold instead of selling it again`,
    { orderSn },
  );
