import type { MutationResolvers } from "../generated/resolvers-types";
import { bannerMutations } from "./mutations/banners";
import { brandMutations } from "./mutations/brands";
import { invalidatingCatalog, invalidatingCounts } from "./mutations/catalog-writes";
import { categoryMutations } from "./mutations/categories";
import { categoryBrandMutations } from "./mutations/category-brands";
import { goodsMutations } from "./mutations/goods";

/** The admin mutations, one file per entity. */
export const Mutation: MutationResolvers = {
  ...invalidatingCounts(goodsMutations),
  ...invalidatingCatalog(categoryMutations),
  ...invalidatingCatalog(brandMutations),
  ...bannerMutations,
  ...invalidatingCatalog(categoryBrandMutations),
};
