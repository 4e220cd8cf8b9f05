import { resolverTypesConfig } from "@emshop/common/codegen-config";

export default resolverTypesConfig({
  context: "../context#GoodsContext",
  mappers: {
    Goods: "@emshop/db/goods#Goods as GoodsRow",
    Category: "@emshop/db/goods#Category as CategoryRow",
    Brand: "@emshop/db/goods#Brand as BrandRow",
    Banner: "@emshop/db/goods#Banner as BannerRow",
    CategoryBrand: "@emshop/db/goods#CategoryBrand as CategoryBrandRow",
    GoodsPage: "../goods-page#GoodsPageModel",
  },
});
