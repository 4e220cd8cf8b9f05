import type { MutationResolvers } from "../generated/resolvers-types";
import { adjustStock } from "../stock/adjust-stock";
import { rebackStock } from "../stock/reback-stock";
import { sellStock } from "../stock/sell-stock";
import { setStocks } from "../stock/set-stocks";
import {
  checkListSize,
  MAX_BATCH_ITEMS,
  mergeOrderItems,
  parseDelta,
  parseExpectedVersion,
  parseGoodsId,
  parseOrderSn,
  parseReason,
  parseStocks,
} from "../stock/validate";

// Resolvers only validate and delegate; the SQL and its reasoning live in ../stock.
export const Mutation: MutationResolvers = {
  setStock: async (_root, args, { db, actor }) => {
    const set = {
      goodsId: parseGoodsId(args.goodsId),
      stocks: parseStocks(args.stocks),
      expectedVersion: parseExpectedVersion(args.expectedVersion),
    };
    const [row] = await setStocks(db, [set], { reason: parseReason(args.reason), actor });
    if (!row) throw new Error("setStocks returned no row");
    return row;
  },

  adjustStock: (_root, args, { db, actor }) =>
    adjustStock(db, parseGoodsId(args.goodsId), parseDelta(args.delta), {
      reason: parseReason(args.reason, { required: true }),
      actor,
    }),

  batchSetStocks: (_root, args, { db, actor }) => {
    checkListSize(args.items, MAX_BATCH_ITEMS, "items");
    const sets = args.items.map((item, index) => ({
      goodsId: parseGoodsId(item.goodsId, `items[${index}].goodsId`),
      stocks: parseStocks(item.stocks, `items[${index}].stocks`),
      expectedVersion: parseExpectedVersion(item.expectedVersion, `items[${index}].expectedVersion`),
    }));
    return setStocks(db, sets, { reason: parseReason(args.reason), actor });
  },

  sellStock: (_root, args, { db, actor }) =>
    sellStock(db, parseOrderSn(args.orderSn), mergeOrderItems(args.items), actor),

  rebackStock: (_root, args, { db, actor }) => rebackStock(db, parseOrderSn(args.orderSn), actor),
};
