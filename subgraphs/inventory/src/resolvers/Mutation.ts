import type { GraphQLResolveInfo } from "graphql";
import type { InventoryContext } from "../context";
import type { MutationResolvers } from "../generated/resolvers-types";
import { adjustStock } from "../stock/adjust-stock";
import { wasApplied } from "../stock/applied";
import { parseTtlSeconds } from "../stock/hold-options";
import { confirmHold, holdStock, reclaimExpired, releaseHold } from "../stock/holds";
import { runOnce, stockRequest } from "../stock/idempotency";
import { setLowStockThreshold } from "../stock/low-stock";
import { failureOutcome, type StockChangeKind } from "../stock/metrics";
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

type MutationFn<Args, Result> = (
  root: unknown,
  args: Args,
  context: InventoryContext,
  info: GraphQLResolveInfo,
) => Result | Promise<Result>;

/** A mutation resolver that counts its outcome in `stock_changes_total{kind, outcome}` (OK or the error code). */
const counted =
  <Args, Result>(kind: StockChangeKind, resolve: MutationFn<Args, Result>): MutationFn<Args, Result> =>
  async (root, args, context, info) => {
    try {
      const result = await resolve(root, args, context, info);
      context.stockMetrics?.changed(kind, "OK");
      return result;
    } catch (error) {
      context.stockMetrics?.changed(kind, failureOutcome(error));
      throw error;
    }
  };

const units = (row: { items: { num: number }[] }) => row.items.reduce((sum, item) => sum + item.num, 0);

const single = <Row>([row]: Row[]): Row => {
  if (!row) throw new Error("the stock change returned no row");
  return row;
};

// Resolvers only validate and delegate; the SQL and its reasoning live in ../stock.
// The admin writes run once per requestId (../stock/idempotency); the request's
// input is the validated arguments plus the actor.
export const Mutation: MutationResolvers = {
  setStock: counted("SET", async (_root, args, { db, actor, holds }) => {
    const set = {
      goodsId: parseGoodsId(args.goodsId),
      stocks: parseStocks(args.stocks),
      expectedVersion: parseExpectedVersion(args.expectedVersion),
    };
    const meta = { reason: parseReason(args.reason), actor, requestId: parseRequestId(args.requestId) };
    const request = stockRequest(meta.requestId, "SET_STOCK", { ...set, reason: meta.reason, actor });
    await reclaimExpired(db, [set.goodsId], holds.clock());
    return single(await runOnce(db, request, (sql) => setStocks(sql, [set], meta)));
  }),

  setLowStockThreshold: counted("THRESHOLD", (_root, args, { db }) =>
    setLowStockThreshold(db, parseGoodsId(args.goodsId), args.threshold ?? null),
  ),

  adjustStock: counted("ADJUST", async (_root, args, { db, actor, holds }) => {
    const goodsId = parseGoodsId(args.goodsId);
    const delta = parseDelta(args.delta);
    const meta = {
      reason: parseReason(args.reason, { required: true }),
      actor,
      requestId: parseRequestId(args.requestId),
    };
    const request = stockRequest(meta.requestId, "ADJUST_STOCK", { goodsId, delta, reason: meta.reason, actor });
    // A hold past its expiry must not keep on-hand units from being taken away.
    if (delta < 0) await reclaimExpired(db, [goodsId], holds.clock());
    return single(await runOnce(db, request, async (sql) => [await adjustStock(sql, goodsId, delta, meta)]));
  }),

  batchSetStocks: counted("BATCH_SET", async (_root, args, { db, actor, holds }) => {
    const sets = parseStockSets(args.items);
    const meta = { reason: parseReason(args.reason), actor, requestId: parseRequestId(args.requestId) };
    const request = stockRequest(meta.requestId, "BATCH_SET_STOCKS", { items: sets, reason: meta.reason, actor });
    await reclaimExpired(
      db,
      sets.map((set) => set.goodsId),
      holds.clock(),
    );
    return runOnce(db, request, (sql) => setStocks(sql, sets, meta));
  }),

  sellStock: counted("SELL", async (_root, args, { db, actor, stockMetrics, holds, sells }) => {
    const [orderSn, items, now] = [parseOrderSn(args.orderSn), mergeOrderItems(args.items), holds.clock()];
    const sold = await (sells ? sells.sell(orderSn, items, actor, now) : sellStock(db, orderSn, items, actor, now));
    if (wasApplied(sold)) stockMetrics?.sold(units(sold));
    return sold;
  }),

  rebackStock: counted("REBACK", async (_root, args, { db, actor, stockMetrics }) => {
    const returned = await rebackStock(db, parseOrderSn(args.orderSn), actor);
    if (wasApplied(returned)) stockMetrics?.returned(units(returned));
    return returned;
  }),

  holdStock: counted("HOLD", async (_root, args, { db, actor, holds, sells }) => {
    const orderSn = parseOrderSn(args.orderSn);
    const items = mergeOrderItems(args.items);
    const now = holds.clock();
    const expiresAt = new Date(now.getTime() + parseTtlSeconds(args.ttlSeconds, holds) * 1000);
    const hold = { orderSn, items, expiresAt };
    return sells ? sells.hold(hold, actor, now) : holdStock(db, hold, actor, now);
  }),

  confirmHold: counted("CONFIRM", async (_root, args, { db, actor, stockMetrics, holds }) => {
    const confirmed = await confirmHold(db, parseOrderSn(args.orderSn), actor, holds.clock());
    if (wasApplied(confirmed)) stockMetrics?.sold(units(confirmed));
    return confirmed;
  }),

  releaseHold: counted("RELEASE", (_root, args, { db, actor, holds }) =>
    releaseHold(db, parseOrderSn(args.orderSn), actor, holds.clock()),
  ),
};
