import { en, Faker } from "@faker-js/faker";

/**
 * A deterministic demo catalog: the same seed always yields the same rows with
 * the same ids, so the goods seed and the inventory seed (different databases,
 * different processes) agree on goods ids without talking to each other.
 */
export interface CatalogOptions {
  goodsCount?: number;
  seed?: number;
}

export interface SeedCategory {
  id: number;
  name: string;
  level: number;
  isTab: boolean;
  parentId: number | null;
}
export interface SeedBrand {
  id: number;
  name: string;
  logo: string;
}
export interface SeedBanner {
  id: number;
  image: string;
  url: string;
  index: number;
}
export interface SeedGoods {
  id: number;
  goodsSn: string;
  name: string;
  brief: string;
  description: string;
  marketPrice: string;
  shopPrice: string;
  frontImage: string;
  images: string[];
  descImages: string[];
  onSale: boolean;
  shipFree: boolean;
  isNew: boolean;
  isHot: boolean;
  clickNum: number;
  soldNum: number;
  favNum: number;
  categoryId: number;
  brandId: number;
}
export interface Catalog {
  categories: SeedCategory[];
  brands: SeedBrand[];
  categoryBrands: { categoryId: number; brandId: number }[];
  banners: SeedBanner[];
  goods: SeedGoods[];
}

export const DEFAULT_GOODS_COUNT = 1200;
const TOP_CATEGORIES = [
  "Fresh Food",
  "Drinks",
  "Snacks",
  "Grains & Oils",
  "Dairy & Eggs",
  "Frozen",
  "Household",
  "Personal Care",
];
const CHILDREN_PER_CATEGORY = 4;
const BRAND_COUNT = 40;
const IMAGE_HOST = "https://img.emshop.dev";

export function generateCatalog(options: CatalogOptions = {}): Catalog {
  const faker = new Faker({ locale: [en], seed: options.seed ?? 20261124 });
  const goodsCount = options.goodsCount ?? DEFAULT_GOODS_COUNT;

  const categories: SeedCategory[] = [];
  const addCategory = (name: string, level: number, parentId: number | null, isTab = false) => {
    const category = { id: categories.length + 1, name: name.slice(0, 20), level, isTab, parentId };
    categories.push(category);
    return category;
  };
  for (const [topIndex, topName] of TOP_CATEGORIES.entries()) {
    const top = addCategory(topName, 1, null, topIndex < 5);
    for (const sub of faker.helpers.uniqueArray(faker.commerce.department, CHILDREN_PER_CATEGORY)) {
      const second = addCategory(sub, 2, top.id);
      for (const leaf of faker.helpers.uniqueArray(faker.commerce.product, CHILDREN_PER_CATEGORY)) {
        addCategory(leaf, 3, second.id);
      }
    }
  }
  const leaves = categories.filter((category) => category.level === 3);

  const brands = faker.helpers
    .uniqueArray(() => faker.company.name().slice(0, 50), BRAND_COUNT)
    .map((name, index) => ({ id: index + 1, name, logo: `${IMAGE_HOST}/brands/${index + 1}.png` }));

  const goods: SeedGoods[] = [];
  for (let id = 1; id <= goodsCount; id++) {
    const shopPrice = faker.number.float({ min: 0.5, max: 999, fractionDigits: 2 });
    goods.push({
      id,
      goodsSn: `G${String(id).padStart(9, "0")}`,
      name: faker.commerce.productName().slice(0, 50),
      brief: faker.commerce.productDescription().slice(0, 200),
      description: faker.lorem.paragraphs(2),
      shopPrice: shopPrice.toFixed(2),
      marketPrice: (shopPrice * faker.number.float({ min: 1, max: 1.5 })).toFixed(2),
      frontImage: `${IMAGE_HOST}/goods/${id}/front.jpg`,
      images: [1, 2, 3].map((n) => `${IMAGE_HOST}/goods/${id}/${n}.jpg`),
      descImages: [1, 2].map((n) => `${IMAGE_HOST}/goods/${id}/desc-${n}.jpg`),
      onSale: faker.datatype.boolean(0.9),
      shipFree: faker.datatype.boolean(0.6),
      isNew: faker.datatype.boolean(0.15),
      isHot: faker.datatype.boolean(0.15),
      clickNum: faker.number.int({ max: 50_000 }),
      soldNum: faker.number.int({ max: 5_000 }),
      favNum: faker.number.int({ max: 2_000 }),
      categoryId: faker.helpers.arrayElement(leaves).id,
      brandId: faker.helpers.arrayElement(brands).id,
    });
  }

  // Which brands show under which category: every (category, brand) that has goods, plus their top level.
  const topOf = (categoryId: number): number => {
    const category = categories[categoryId - 1];
    return category?.parentId ? topOf(category.parentId) : categoryId;
  };
  const pairs = new Map<string, { categoryId: number; brandId: number }>();
  for (const item of goods) {
    for (const categoryId of [item.categoryId, topOf(item.categoryId)]) {
      pairs.set(`${categoryId}:${item.brandId}`, { categoryId, brandId: item.brandId });
    }
  }

  const banners = [1, 2, 3, 4, 5].map((index) => ({
    id: index,
    image: `${IMAGE_HOST}/banners/${index}.jpg`,
    url: `https://emshop.dev/goods/${index * 7}`,
    index,
  }));

  return { categories, brands, categoryBrands: [...pairs.values()], banners, goods };
}

/** Demo stock per goods: its own random stream, so changing the catalog shape does not reshuffle stock. */
export function generateStocks(goodsIds: number[], seed = 7): { goodsId: number; stocks: number }[] {
  const faker = new Faker({ locale: [en], seed });
  return goodsIds.map((goodsId) => ({ goodsId, stocks: faker.number.int({ min: 0, max: 500 }) }));
}
