import { parseId } from "@emshop/common/errors";
import type { CreateGoodsInput, UpdateGoodsInput } from "../generated/resolvers-types";
import { httpUrl, httpUrls, longText, optional, price, text } from "./fields";

// Same bounds as the goods table's columns (goods_sn and name VARCHAR(50), brief VARCHAR(200)).
const goodsSn = (value: string) => text("input.goodsSn", value, 1, 50);
const name = (value: string) => text("input.name", value, 1, 50);
const brief = (value: string) => text("input.brief", value, 3, 200);
/** The description is TEXT in the database; 20,000 characters is a long product page, and a bound. */
export const MAX_DESCRIPTION_LENGTH = 20_000;
const description = (value: string) => longText("input.description", value, MAX_DESCRIPTION_LENGTH);

/** Checks every field of a new goods that needs no database; returns the row to insert. */
export function validateCreateGoods(input: CreateGoodsInput) {
  return {
    goodsSn: goodsSn(input.goodsSn),
    name: name(input.name),
    brief: brief(input.brief),
    description: description(input.description ?? ""),
    marketPrice: price("input.marketPrice", input.marketPrice),
    shopPrice: price("input.shopPrice", input.shopPrice),
    frontImage: httpUrl("input.frontImage", input.frontImage),
    images: httpUrls("input.images", input.images ?? []),
    descImages: httpUrls("input.descImages", input.descImages ?? []),
    onSale: input.onSale ?? true,
    shipFree: input.shipFree ?? true,
    isNew: input.isNew ?? false,
    isHot: input.isHot ?? false,
    categoryId: parseId(input.categoryId, "input.categoryId"),
    brandId: parseId(input.brandId, "input.brandId"),
  };
}

const same = <T>(value: T) => value;

/** Like validateCreateGoods, for the fields given; omitted fields stay undefined (unchanged). */
export function validateUpdateGoods(input: UpdateGoodsInput) {
  return {
    goodsSn: optional("input.goodsSn", input.goodsSn, goodsSn),
    name: optional("input.name", input.name, name),
    brief: optional("input.brief", input.brief, brief),
    description: optional("input.description", input.description, description),
    marketPrice: optional("input.marketPrice", input.marketPrice, (v) => price("input.marketPrice", v)),
    shopPrice: optional("input.shopPrice", input.shopPrice, (v) => price("input.shopPrice", v)),
    frontImage: optional("input.frontImage", input.frontImage, (v) => httpUrl("input.frontImage", v)),
    images: optional("input.images", input.images, (v) => httpUrls("input.images", v)),
    descImages: optional("input.descImages", input.descImages, (v) => httpUrls("input.descImages", v)),
    onSale: optional("input.onSale", input.onSale, same),
    shipFree: optional("input.shipFree", input.shipFree, same),
    isNew: optional("input.isNew", input.isNew, same),
    isHot: optional("input.isHot", input.isHot, same),
    categoryId: optional("input.categoryId", input.categoryId, (v) => parseId(v, "input.categoryId")),
    brandId: optional("input.brandId", input.brandId, (v) => parseId(v, "input.brandId")),
  };
}
