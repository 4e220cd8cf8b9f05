import type { BannerRow, BrandRow, CategoryBrandRow, CategoryRow, GoodsRow } from "./target-rows";
import { upserter } from "./upsert";

export const upsertCategories = upserter<CategoryRow>(
  "category",
  "id",
  [
    { name: "id", type: "int" },
    { name: "name", type: "text" },
    { name: "level", type: "int" },
    { name: "is_tab", type: "boolean" },
    { name: "parent_id", type: "int" },
  ],
  (row) => ({ id: row.id, name: row.name, level: row.level, is_tab: row.isTab, parent_id: row.parentId }),
);

export const upsertBrands = upserter<BrandRow>(
  "brand",
  "id",
  [
    { name: "id", type: "int" },
    { name: "name", type: "text" },
    { name: "logo", type: "text" },
  ],
  (row) => row,
);

export const upsertCategoryBrands = upserter<CategoryBrandRow>(
  "category_brand",
  "id",
  [
    { name: "id", type: "int" },
    { name: "category_id", type: "int" },
    { name: "brand_id", type: "int" },
  ],
  (row) => ({ id: row.id, category_id: row.categoryId, brand_id: row.brandId }),
);

export const upsertBanners = upserter<BannerRow>(
  "banner",
  "id",
  [
    { name: "id", type: "int" },
    { name: "image", type: "text" },
    { name: "url", type: "text" },
    { name: "index", type: "int" },
  ],
  (row) => row,
);

export const upsertGoods = upserter<GoodsRow>(
  "goods",
  "id",
  [
    { name: "id", type: "int" },
    { name: "goods_sn", type: "text" },
    { name: "name", type: "text" },
    { name: "brief", type: "text" },
    { name: "description", type: "text" },
    { name: "market_price", type: "numeric" },
    { name: "shop_price", type: "numeric" },
    { name: "front_image", type: "text" },
    // jsonb_to_recordset turns a JSON list into text[] itself (no subquery per row).
    { name: "images", type: "text[]" },
    { name: "desc_images", type: "text[]" },
    { name: "on_sale", type: "boolean" },
    { name: "ship_free", type: "boolean" },
    { name: "is_new", type: "boolean" },
    { name: "is_hot", type: "boolean" },
    { name: "click_num", type: "int" },
    { name: "sold_num", type: "int" },
    { name: "fav_num", type: "int" },
    { name: "category_id", type: "int" },
    { name: "brand_id", type: "int" },
    { name: "created_at", type: "timestamptz" },
    { name: "updated_at", type: "timestamptz" },
  ],
  (row) => ({
    id: row.id,
    goods_sn: row.goodsSn,
    name: row.name,
    brief: row.brief,
    description: row.description,
    market_price: row.marketPrice,
    shop_price: row.shopPrice,
    front_image: row.frontImage,
    images: row.images,
    desc_images: row.descImages,
    on_sale: row.onSale,
    ship_free: row.shipFree,
    is_new: row.isNew,
    is_hot: row.isHot,
    click_num: row.clickNum,
    sold_num: row.soldNum,
    fav_num: row.favNum,
    category_id: row.categoryId,
    brand_id: row.brandId,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  }),
);
