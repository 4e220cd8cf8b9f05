import type { CategoryResolvers } from "../generated/resolvers-types";

export const Category: CategoryResolvers = {
  parent: (category, _args, { loaders }) =>
    category.parentId === null ? null : loaders.categoryById.load(category.parentId),
  children: (category, _args, { loaders }) => loaders.childrenByCategoryId.load(category.id),
  brands: async (category, _args, { loaders }) =>
    (await loaders.brandsByCategoryId.load(category.id)).map((pair) => pair.brand),
};
