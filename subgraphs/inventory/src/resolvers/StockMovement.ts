import type { StockMovementResolvers } from "../generated/resolvers-types";
import type { MovementKind } from "../stock/ledger";

export const StockMovement: StockMovementResolvers = {
  // bigint and int ids are sent as strings, like every GraphQL ID.
  id: (row) => String(row.id),
  goodsId: (row) => String(row.goodsId),
  kind: (row) => row.kind as MovementKind,
};
