import { notFound, parseId } from "@emshop/common/errors";
import type { Prisma } from "@emshop/db/goods";
import { translateConstraintErrors } from "../../db-errors";
import { conflict, inUse, isUsed } from "../../errors";
import type { MutationResolvers } from "../../generated/resolvers-types";
import { validateBrand } from "../../validation/catalog";

const nameTaken = (name: string) => conflict("input.name", `a brand named "${name}" already exists`, { name });

async function checkNameFree(tx: Prisma.TransactionClient, name: string, ownId?: number) {
  const other = await tx.brand.findUnique({ where: { name }, select: { id: true } });
  if (other && other.id !== ownId) throw nameTaken(name);
}

export const brandMutations: MutationResolvers = {
  createBrand: async (_root, { input }, { db }) => {
    const data = validateBrand(input);
    return translateConstraintErrors({ unique: () => nameTaken(data.name) }, () =>
      db.prisma.$transaction(async (tx) => {
        await checkNameFree(tx, data.name);
        return tx.brand.create({ data });
      }),
    );
  },

  updateBrand: async (_root, { id, input }, { db }) => {
    const brandId = parseId(id);
    const data = validateBrand(input);
    return translateConstraintErrors(
      { unique: () => nameTaken(data.name), missing: () => notFound("Brand", brandId) },
      () =>
        db.prisma.$transaction(async (tx) => {
          if (!(await tx.brand.findUnique({ where: { id: brandId }, select: { id: true } }))) {
            throw notFound("Brand", brandId);
          }
          await checkNameFree(tx, data.name, brandId);
          return tx.brand.update({ where: { id: brandId }, data });
        }),
    );
  },

  deleteBrand: async (_root, { id }, { db }) => {
    const brandId = parseId(id);
    await translateConstraintErrors(
      { foreignKey: () => inUse("Brand", brandId), missing: () => notFound("Brand", brandId) },
      () =>
        db.prisma.$transaction(async (tx) => {
          const brand = await tx.brand.findUnique({
            where: { id: brandId },
            select: { _count: { select: { goods: true, categories: true } } },
          });
          if (!brand) throw notFound("Brand", brandId);
          const usedBy = { goods: brand._count.goods, "category-brand pairs": brand._count.categories };
          if (isUsed(usedBy)) throw inUse("Brand", brandId, usedBy);
          await tx.brand.delete({ where: { id: brandId } });
        }),
    );
    return String(brandId);
  },
};
