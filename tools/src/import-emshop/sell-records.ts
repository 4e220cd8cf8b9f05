import { MAX_ORDER_SN_LENGTH, mergeOrderItems } from "@emshop/inventory/stock/validate";
import { charLength, type Mapped, RowChecks, validationMessage } from "./problems";
import { instant } from "./source";
import type { SourceSellDetail } from "./source-rows";
import type { StockSellRow } from "./target-rows";

/** emshop's stockselldetail.status (a VARCHAR holding a number): 1 deducted, 2 returned. */
const STATUS = { "1": "SOLD", "2": "RETURNED" } as const;

/** What mapping one record did beyond the mapping itself, for the report. */
export interface SellNote {
  /** Items listed more than once for the same goods were added up (sellStock does the same). */
  mergedItems: boolean;
}

/**
 * One stockselldetail → one stock_sell record, so that rebackStock of an
 * order sold before the move gives back exactly what it took, once (SOLD), or
 * nothing (RETURNED). detail is gorm's JSON of []GoodsDetail: [{"Goods": 1,
 * "Num": 2}, …]. Items are merged per goods and sorted with the inventory
 * service's own mergeOrderItems, the form sellStock stores.
 */
export function mapSellDetail(row: SourceSellDetail, timezone: string): Mapped<StockSellRow> & { note?: SellNote } {
  const checks = new RowChecks(false);
  const orderSn = String(row.order_sn ?? "").trim();
  if (orderSn === "") checks.fail("order_sn_empty", "order_sn", "order_sn: must not be empty");
  else if (charLength(orderSn) > MAX_ORDER_SN_LENGTH)
    checks.fail(
      "order_sn_too_long",
      "order_sn",
      `order_sn: must be at most ${MAX_ORDER_SN_LENGTH} characters, got ${charLength(orderSn)}`,
    );
  const statusText = String(row.status ?? "").trim();
  const status = statusText === "1" || statusText === "2" ? STATUS[statusText] : null;
  if (!status)
    checks.fail("sell_status_unknown", "status", `status: must be 1 (deducted) or 2 (returned), got "${statusText}"`);

  let items: StockSellRow["items"] = [];
  let mergedItems = false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.detail ?? "");
  } catch (error) {
    checks.fail("detail_not_json", "detail", `detail: not valid JSON (${(error as Error).message})`);
  }
  if (parsed !== undefined) {
    const entries = Array.isArray(parsed) ? parsed : null;
    const valid = entries?.every(
      (entry) =>
        typeof entry === "object" && entry !== null && Number.isInteger(entry.Goods) && Number.isInteger(entry.Num),
    );
    const message = !entries
      ? "detail: must be a JSON list of {Goods, Num}"
      : !valid
        ? "detail: every entry must be {Goods: <integer>, Num: <integer>}"
        : validationMessage(() => {
            items = mergeOrderItems(entries.map((entry) => ({ goodsId: entry.Goods, num: entry.Num })));
          });
    if (message) checks.fail("detail_invalid", "detail", message.replace(/^items/, "detail"));
    else mergedItems = items.length < (entries?.length ?? 0);
  }
  const result = checks.result({
    orderSn,
    status: status ?? "SOLD",
    items,
    createdAt: instant(row.add_time, timezone),
    updatedAt: instant(row.update_time, timezone),
  });
  return result.ok ? { ...result, note: { mergedItems } } : result;
}
