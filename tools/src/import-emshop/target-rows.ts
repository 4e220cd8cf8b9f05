/**
 * The rows the import writes, in the form that is compared with the target:
 * ids preserved from emshop, prices as DECIMAL(12, 2) text, times as ISO
 * instants. The target's canonical SELECTs (target-tables.ts) produce the same
 * shapes, so "unchanged" and --verify are plain comparisons.
 */
export interface CategoryRow {
  id: number;
  name: string;
  level: number;
  isTab: boolean;
  parentId: number | null;
}

export interface BrandRow {
  id: number;
  name: string;
  logo: string;
}

export interface CategoryBrandRow {
  id: number;
  categoryId: number;
  brandId: number;
}

export interface BannerRow {
  id: number;
  image: string;
  url: string;
  index: number;
}

export interface GoodsRow {
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
  createdAt: string;
  updatedAt: string;
}

/** One goods' stock level in the target's inventory. */
export interface StockRow {
  goodsId: number;
  stocks: number;
}

export interface StockSellRow {
  orderSn: string;
  status: "SOLD" | "RETURNED";
  /** Merged per goods and sorted by goods id, as sellStock stores them. */
  items: { goodsId: number; num: number }[];
  /** From emshop's add_time / update_time when the table has them; not compared. */
  createdAt: string | null;
  updatedAt: string | null;
}
