import { badUserInput, notFound, parseId } from "@emshop/common/errors";
import type { Prisma } from "@emshop/db/goods";
import { translateConstraintErrors } from "../../db-errors";
import { conflict } from "../../errors";
import type { MutationResolvers } from "../../generated/resolvers-types";
import { validateCreateGoods, validateUpdateGoods } from "../../validation/goods";
import { requireBrand, requireCategory } from "../../validation/references";

const goodsSnTaken = (goodsSn: string) =>
  conflict("input.goodsSn", `"${goodsSn}" is already used by another goods`, { goodsSn });

async function checkGoodsSnFree(tx: Prisma.TransactionClient, goodsSn: string, ownId?: number) {
  const other = await tx.goods.findUnique({ where: { goodsSn }, select: { id: true } });
  if (other && other.id !== ownId) throw goodsSnTaken(goodsSn);
}

/** A category or brand deleted between our check and the insert. */
const referenceGone = (detail: string) =>
  detail.includes("brand_id")
    ? badUserInput("input.brandId", "the brand no longer exists")
    : badUserInput("input.categoryId", "the category no longer exists");

export const goodsMutations: MutationResolvers = {
  createGoods: async (_root, { input }, { db }) => {
    const data = validateCreateGoods(input);
    return translateConstraintErrors({ unique: () => goodsSnTaken(data.goodsSn), foreignKey: referenceGone }, () =>
      db.prisma.$transaction(async (tx) => {
        await requireCategory(tx, data.categoryId, "input.categoryId");
        await requireBrand(tx, data.brandId, "input.brandId");
        await checkGoodsSnFree(tx, data.goodsSn);
        return tx.goods.create({ data });
      }),
    );
  },

  updateGoods: async (_root, { id, input }, { db }) => {
    const goodsId = parseId(id);
    const data = validateUpdateGoods(input);
    return translateConstraintErrors(
      {
        unique: () => goodsSnTaken(data.goodsSn ?? ""),
        foreignKey: referenceGone,
        missing: () => notFound("Goods", goodsId),
      },
      () =>
        db.prisma.$transaction(async (tx) => {
          if (!(await tx.goods.findUnique({ where: { id: goodsId }, select: { id: true } }))) {
            throw notFound("Goods", goodsId);
          }
          if (data.categoryId !== undefined) await requireCategory(tx, data.categoryId, "input.categoryId");
          if (data.brandId !== undefined) await requireBrand(tx, data.brandId, "input.brandId");
          if (data.goodsSn !== undefined) await checkGoodsSnFree(tx, data.goodsSn, goodsId);
          return tx.goods.update({ where: { id: goodsId }, data });
        }),
    );
  },

  // A single statement each: atomic without an explicit transaction.
  deleteGoods: async (_root, { id }, { db }) => {
    const goodsId = parseId(id);
    await translateConstraintErrors({ missing: () => notFound("Goods", goodsId) }, () =>
      db.prisma.goods.delete({ where: { id: goodsId }, select: { id: true } }),
    );
    return String(goodsId);
  },

  updateGoodsStatus: async (_root, { id, isNew, isHot, onSale }, { db }) => {
    const goodsId = parseId(id);
    // Null or omitted flags stay as they are.
    const data = { isNew: isNew ?? undefined, isHot: isHot ?? undefined, onSale: onSale ?? undefined };
    return translateConstraintErrors({ missing: () => notFound("Goods", goodsId) }, () =>
      db.prisma.goods.update({ where: { id: goodsId }, data }),
    );
  },
};
