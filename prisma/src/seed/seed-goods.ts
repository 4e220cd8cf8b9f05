import type { GoodsDb } from "../goods";
import { type CatalogOptions, generateCatalog } from "./catalog";

/**
 * Loads the demo catalog. Rows carry fixed ids and are inserted with
 * skipDuplicates, so re-running adds nothing; sequences are moved past the
 * seeded ids so that later creates do not collide with them.
 */
export async function seedGoods(db: GoodsDb, options: CatalogOptions = {}) {
  const catalog = generateCatalog(options);
  const { prisma } = db;
  await prisma.$transaction([
    prisma.category.createMany({ data: catalog.categories, skipDuplicates: true }),
    prisma.brand.createMany({ data: catalog.brands, skipDuplicates: true }),
    prisma.banner.createMany({ data: catalog.banners, skipDuplicates: true }),
    prisma.goods.createMany({ data: catalog.goods, skipDuplicates: true }),
    prisma.categoryBrand.createMany({ data: catalog.categoryBrands, skipDuplicates: true }),
  ]);
  for (const table of ["category", "brand", "banner", "goods", "category_brand"]) {
    await db.sql.query(
      `SELECT setval(pg_get_serial_sequence('${table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM ${table}), 1))`,
    );
  }
  return { categories: catalog.categories.length, brands: catalog.brands.length, goods: catalog.goods.length };
}

export async function isGoodsDbEmpty(db: GoodsDb) {
  return (await db.prisma.goods.count()) === 0 && (await db.prisma.category.count()) === 0;
}
