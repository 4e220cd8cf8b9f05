import type { ServiceSettings } from "@emshop/common/config/docs";
import { gatewaySettings } from "@emshop/gateway/config";
import { goodsSettings } from "@emshop/goods/config";
import { inventorySettings } from "@emshop/inventory/config";
import { toolSettings } from "./database-config";

/** Every process of the system and the variables it reads, in the order the README lists them. */
export const configuredServices: ServiceSettings = [
  { service: "gateway", settings: gatewaySettings },
  { service: "goods", settings: goodsSettings },
  { service: "inventory", settings: inventorySettings },
  { service: "tools", settings: toolSettings },
];
