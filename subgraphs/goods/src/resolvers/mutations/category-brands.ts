import { badUserInput, notFound, parseId } from "@emshop/common/errors";
import type { Prisma } from "@emshop/db/goods";
import { translateConstraintErrors } from "../../db-errors";
import { conflict } from "../../errors";
import type { MutationResolvers } from "../../generated/resolvers-types";
import { requireBrand, requireCategory } from "../../validation/references";

interface Pair {
  categoryId: number;
  brandId: number;
}

const parsePair = (categoryId: string, brandId: string): Pair => ({
  categoryId: parseId(categoryId, "categoryId"),
  brandId: parseId(brandId, "brandId"),
});

const pairTaken = ({ categoryId, brandId }: Pair) =>
  conflict("brandId", `brand ${brandId} is already listed under category ${categoryId}`, {
    categoryId: String(categoryId),
    brandId: String(brandId),
  });

const referenceGone = (detail: string) =>
  detail.includes("brand_id")
    ? badUserInput("brandId", "the brand no longer exists")
    : badUserInput("categoryId", "the category no longer exists");

/** Both ends exist and no other row holds the same pair. */
async function checkPair(tx: Prisma.TransactionClient, pair: Pair, ownId?: number) {
  await requireCategory(tx, pair.categoryId, "categoryId");
  await requireBrand(tx, pair.brandId, "brandId");
  const other = await tx.categoryBrand.findUnique({ where: { categoryId_brandId: pair }, select: { id: true } });
  if (other && other.id !== ownId) throw pairTaken(pair);
}

export const categoryBrandMutations: MutationResolvers = {
  createCategoryBrand: async (_root, args, { db }) => {
    const pair = parsePair(args.categoryId, args.brandId);
    return translateConstraintErrors({ unique: () => pairTaken(pair), foreignKey: referenceGone }, () =>
      db.prisma.$transaction(async (tx) => {
        await checkPair(tx, pair);
        return tx.categoryBrand.create({ data: pair });
      }),
    );
  },

  updateCategoryBrand: async (_root, args, { db }) => {
    const pairId = parseId(args.id);
    const pair = parsePair(args.categoryId, args.brandId);
    return translateConstraintErrors(
      {
        unique: () => pairTaken(pair),
        foreignKey: referenceGone,
        missing: () => notFound("CategoryBrand", pairId),
      },
      () =>
        db.prisma.$transaction(async (tx) => {
          if (!(await tx.categoryBrand.findUnique({ where: { id: pairId }, select: { id: true } }))) {
            throw notFound("CategoryBrand", pairId);
          }
          await checkPair(tx, pair, pairId);
          return tx.categoryBrand.update({ where: { id: pairId }, data: pair });
        }),
    );
  },

  deleteCategoryBrand: async (_root, { id }, { db }) => {
    const pairId = parseId(id);
    await translateConstraintErrors({ missing: () => notFound("CategoryBrand", pairId) }, () =>
      db.prisma.categoryBrand.delete({ where: { id: pairId }, select: { id: true } }),
    );
    return String(pairId);
  },
};
