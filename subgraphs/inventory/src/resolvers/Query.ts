import { databaseIdentity, feedHead, readFeed } from "../events/feed";
import type { QueryResolvers } from "../generated/resolvers-types";
import { listLowStock } from "../stock/low-stock";
import { listMovements } from "../stock/movements";
import { findStockSell } from "../stock/stock-sell-row";
import { parseGoodsId, parseOrderSn } from "../stock/validate";

export const Query: QueryResolvers = {
  inventory: (_root, args, { db }) =>
    db.prisma.inventory.findUnique({ where: { goodsId: parseGoodsId(args.goodsId) } }),
  stockSell: (_root, args, { db }) => findStockSell(db.sql, parseOrderSn(args.orderSn)),
  stockHold: (_root, args, { db }) => findStockSell(db.sql, parseOrderSn(args.orderSn)),
  stockMovements: (_root, args, { db }) =>
    listMovements(db, parseGoodsId(args.goodsId), args.first ?? 20, args.after ?? null),
  lowStockGoods: (_root, args, { db, lowStock }) => listLowStock(db, lowStock, args.first ?? 20, args.after ?? null),
  stockChanges: async (_root, args, { db }) =>
    readFeed(db.sql, await databaseIdentity(db.sql), args.after ?? null, args.first ?? 100),
  stockChangesHead: (_root, _args, { db }) => feedHead(db.sql),
};
