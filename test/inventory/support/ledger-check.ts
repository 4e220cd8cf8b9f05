// The invariant check lives with the inventory code, for the tools to reuse too.
export { ledgerViolations } from "@emshop/inventory/stock/invariants";
