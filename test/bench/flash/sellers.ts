import type { StockSellRow } from "@emshop/inventory/stock/stock-sell-row";
import type { OrderItem } from "@emshop/inventory/stock/validate";
import { ops } from "../../inventory/support/operations";
import { type GraphQLResponse, gql } from "../../support/graphql-client";
import { errorCode, NO_ANSWER, recordCode, type SellAnswer, type Seller, type SellRequest } from "./answers";

/*
 * The two ways the flash sale reaches sellStock: over HTTP (the inventory
 * subgraph or the gateway, with the order service's own operation,
 * test/operations/order-sell-stock.graphql) and in-process (a SellCoalescer's
 * `sell`). Both turn whatever happened into a SellAnswer.
 */

type SellData = { sellStock?: { status: string; createdAt: string } | null };

function answerOf(request: SellRequest, response: GraphQLResponse<SellData>, startedAt: number): SellAnswer {
  const ms = performance.now() - startedAt;
  const [error] = response.errors ?? [];
  if (error) return { ...request, code: errorCode(error), message: error.message, startedAt, ms };
  const record = response.data?.sellStock;
  if (!record) return { ...request, code: `HTTP ${response.status} without data`, startedAt, ms };
  return { ...request, code: recordCode(record.status), createdAt: Date.parse(record.createdAt), startedAt, ms };
}

/** sellStock over HTTP with the order service's token; a failed connection answers NO_ANSWER. */
export function httpSeller(url: string, headers: Record<string, string>): Seller {
  return async (request) => {
    const startedAt = performance.now();
    const variables = {
      orderSn: request.orderSn,
      items: request.items.map((item) => ({ goodsId: String(item.goodsId), num: item.num })),
    };
    try {
      return answerOf(request, await gql<SellData>(url, ops.sellStock, variables, headers), startedAt);
    } catch (error) {
      // fetch rejects with a TypeError when the connection fails; anything else is a bad answer.
      const code = error instanceof TypeError ? NO_ANSWER : "BAD_RESPONSE";
      return { ...request, code, message: String(error), startedAt, ms: performance.now() - startedAt };
    }
  };
}

/** What the in-process phase needs of a SellCoalescer (see @emshop/inventory/stock/group-commit). */
export interface Sells {
  sell(orderSn: string, items: OrderItem[], actor: string | null, now?: Date): Promise<StockSellRow>;
}

/** A SellCoalescer's sell, answering as sellStock does over HTTP. */
export function inProcessSeller(sells: Sells, actor: string): Seller {
  return async (request) => {
    const startedAt = performance.now();
    try {
      const row = await sells.sell(request.orderSn, request.items, actor);
      const ms = performance.now() - startedAt;
      return { ...request, code: recordCode(row.status), createdAt: row.createdAt.getTime(), startedAt, ms };
    } catch (error) {
      const message = (error as Error).message;
      return { ...request, code: errorCode(error), message, startedAt, ms: performance.now() - startedAt };
    }
  };
}
