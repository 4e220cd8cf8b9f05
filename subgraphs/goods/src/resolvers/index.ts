import { DateTimeResolver } from "graphql-scalars";
import type { Resolvers } from "../generated/resolvers-types";
import { Goods } from "./Goods";
import { Query } from "./Query";

export const resolvers: Resolvers = { DateTime: DateTimeResolver, Goods, Query };
