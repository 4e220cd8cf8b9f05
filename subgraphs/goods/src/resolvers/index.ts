import { DateTimeResolver } from "graphql-scalars";
import type { Resolvers } from "../generated/resolvers-types";
import { Category } from "./Category";
import { CategoryBrand } from "./CategoryBrand";
import { Goods } from "./Goods";
import { GoodsPage } from "./GoodsPage";
import { Mutation } from "./Mutation";
import { Query } from "./Query";

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Goods,
  GoodsPage,
  Category,
  CategoryBrand,
  Query,
  Mutation,
};
