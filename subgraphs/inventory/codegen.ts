import { resolverTypesConfig } from "@emshop/common/codegen-config";

export default resolverTypesConfig({
  context: "../context#InventoryContext",
  mappers: {
    Inventory: "@emshop/db/inventory#Inventory as InventoryRow",
    Goods: "../loaders#GoodsRef",
    StockSell: "../stock/stock-sell-row#StockSellRow",
    StockMovement: "@emshop/db/inventory#StockMovement as StockMovementRow",
    StockChange: "@emshop/common/events/stock-event#StockEvent",
  },
});
