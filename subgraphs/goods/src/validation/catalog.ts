import { badUserInput, parseId } from "@emshop/common/errors";
import type { BannerInput, BrandInput, CreateCategoryInput, UpdateCategoryInput } from "../generated/resolvers-types";
import { httpUrl, integer, optional, text } from "./fields";

const categoryName = (value: string) => text("input.name", value, 1, 20);

/** A new category's own fields; whether its parent fits is checked against the database. */
export function validateCreateCategory(input: CreateCategoryInput) {
  const level = integer("input.level", input.level, 1, 3);
  const parentId = input.parentId == null ? null : parseId(input.parentId, "input.parentId");
  if (level === 1 && parentId !== null) throw badUserInput("input.parentId", "a level-1 category has no parent");
  if (level > 1 && parentId === null) {
    throw badUserInput("input.parentId", `a level-${level} category needs a parent of level ${level - 1}`);
  }
  return { name: categoryName(input.name), level, parentId, isTab: input.isTab ?? false };
}

export function validateUpdateCategory(input: UpdateCategoryInput) {
  return {
    name: optional("input.name", input.name, categoryName),
    isTab: optional("input.isTab", input.isTab, (isTab) => isTab),
  };
}

export function validateBrand(input: BrandInput) {
  const logo = input.logo?.trim() ?? "";
  // An empty logo (the SDL default) means "no logo yet"; anything else must be a real URL.
  return { name: text("input.name", input.name, 1, 50), logo: logo === "" ? "" : httpUrl("input.logo", logo) };
}

export function validateBanner(input: BannerInput) {
  return {
    image: httpUrl("input.image", input.image),
    url: httpUrl("input.url", input.url),
    index: integer("input.index", input.index ?? 0, 0),
  };
}
