import { DateTimeResolver } from "graphql-scalars";
import type { Resolvers } from "../generated/resolvers-types";
import { Goods } from "./Goods";
import { Inventory } from "./Inventory";
import { Query } from "./Query";

export const resolvers: Resolvers = { DateTime: DateTimeResolver, Goods, Inventory, Query };
