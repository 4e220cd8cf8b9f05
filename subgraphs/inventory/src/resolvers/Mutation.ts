import type { MutationResolvers } from "../generated/resolvers-types";
import { adjustStock } from "../stock/adjust-stock";
import { runOnce, stockRequest } from "../stock/idempotency";
import { setLowStockThreshold } from "../stock/low-stock";
import { rebackStock } from "../stock/reback-stock";
import { sellStock } from "../stock/sell-stock";
import { setStocks } from "../stock/set-stocks";
import {
  mergeOrderItems,
  parseDelta,
  parseExpectedVersion,
  parseGoodsId,
  parseOrderSn,
  parseReason,
  parseRequestId,
  parseStockSets,
  parseStocks,
} from "../stock/validate";

const single = <Row>([row]: Row[]): Row => {
  if (!row) throw new Error("the stock change returned no row");
  return row;
};

// Resolvers only validate and delegate; the SQL and its reasoning live in ../stock.
// The admin writes run once per requestId (../stock/idempotency); the request's
// input is the validated arguments plus the actor.
export const Mutation: MutationResolvers = {
  setStock: async (_root, args, { db, actor }) => {
    const set = {
      goodsId: parseGoodsId(args.goodsId),
      stocks: parseStocks(args.stocks),
      expectedVersion: parseExpectedVersion(args.expectedVersion),
    };
    const meta = { reason: parseReason(args.reason), actor, requestId: parseRequestId(args.requestId) };
    const request = stockRequest(meta.requestId, "SET_STOCK", { ...set, reason: meta.reason, actor });
    return single(await runOnce(db, request, (sql) => setStocks(sql, [set], meta)));
  },

  setLowStockThreshold: (_root, args, { db }) =>
    setLowStockThreshold(db, parseGoodsId(args.goodsId), args.threshold ?? null),

  adjustStock: async (_root, args, { db, actor }) => {
    const goodsId = parseGoodsId(args.goodsId);
    const delta = parseDelta(args.delta);
    const meta = {
      reason: parseReason(args.reason, { required: true }),
      actor,
      requestId: parseRequestId(args.requestId),
    };
    const request = stockRequest(meta.requestId, "ADJUST_STOCK", { goodsId, delta, reason: meta.reason, actor });
    return single(await runOnce(db, request, async (sql) => [await adjustStock(sql, goodsId, delta, meta)]));
  },

  batchSetStocks: (_root, args, { db, actor }) => {
    const sets = parseStockSets(args.items);
    const meta = { reason: parseReason(args.reason), actor, requestId: parseRequestId(args.requestId) };
    const request = stockRequest(meta.requestId, "BATCH_SET_STOCKS", { items: sets, reason: meta.reason, actor });
    return runOnce(db, request, (sql) => setStocks(sql, sets, meta));
  },

  sellStock: (_root, args, { db, actor }) =>
    sellStock(db, parseOrderSn(args.orderSn), mergeOrderItems(args.items), actor),

  rebackStock: (_root, args, { db, actor }) => rebackStock(db, parseOrderSn(args.orderSn), actor),
};
