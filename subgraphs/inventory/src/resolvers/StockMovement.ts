import type { StockMovementResolvers } from "../generated/resolvers-types";

export const StockMovement: StockMovementResolvers = {
  // bigint and int ids are sent as strings, like every GraphQL ID.
  id: (row) => String(row.id),
  goodsId: (row) => String(row.goodsId),
  kind: (row) => row.kind as "SET" | "ADJUST" | "SELL" | "REBACK" | "IMPORT",
};
