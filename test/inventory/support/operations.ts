import { readFileSync } from "node:fs";

/** The operations clients send (test/operations/*.graphql): the tests run exactly those. */
export const operation = (name: string) =>
  readFileSync(new URL(`../../operations/${name}.graphql`, import.meta.url), "utf8");

export const ops = {
  setStock: operation("admin-set-stock"),
  adjustStock: operation("admin-adjust-stock"),
  batchSetStocks: operation("admin-batch-set-stocks"),
  inventory: operation("admin-inventory"),
  sellStock: operation("order-sell-stock"),
  rebackStock: operation("order-reback-stock"),
  stockSell: operation("order-stock-sell"),
  stockMovements: operation("stock-movements"),
  holdStock: operation("order-hold-stock"),
  confirmHold: operation("order-confirm-hold"),
  releaseHold: operation("order-release-hold"),
  stockHold: operation("order-stock-hold"),
  inventoryHolds: operation("admin-inventory-holds"),
  stockChanges: operation("stock-changes"),
};
