import { DateTimeResolver } from "graphql-scalars";
import type { Resolvers } from "../generated/resolvers-types";
import { Goods } from "./Goods";
import { Inventory } from "./Inventory";
import { Mutation } from "./Mutation";
import { Query } from "./Query";
import { StockMovement } from "./StockMovement";
import { StockSell, StockSellItem } from "./StockSell";

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Goods,
  Inventory,
  Mutation,
  Query,
  StockMovement,
  StockSell,
  StockSellItem,
};
