import type { CategoryBrandResolvers } from "../generated/resolvers-types";

// Foreign keys guarantee both ends exist; a miss is a bug worth an error, not a silent null.
export const CategoryBrand: CategoryBrandResolvers = {
  category: async (pair, _args, { loaders }) => {
    const category = await loaders.categoryById.load(pair.categoryId);
    if (!category) throw new Error(`category-brand ${pair.id} has no category ${pair.categoryId}`);
    return category;
  },
  brand: async (pair, _args, { loaders }) => {
    const brand = await loaders.brandById.load(pair.brandId);
    if (!brand) throw new Error(`category-brand ${pair.id} has no brand ${pair.brandId}`);
    return brand;
  },
};
