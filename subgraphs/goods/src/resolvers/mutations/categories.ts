import { badUserInput, notFound, parseId } from "@emshop/common/errors";
import { translateConstraintErrors } from "../../db-errors";
import { inUse, isUsed } from "../../errors";
import type { MutationResolvers } from "../../generated/resolvers-types";
import { validateCreateCategory, validateUpdateCategory } from "../../validation/catalog";
import { requireCategory } from "../../validation/references";

export const categoryMutations: MutationResolvers = {
  createCategory: async (_root, { input }, { db }) => {
    const data = validateCreateCategory(input);
    const parentGone = () => badUserInput("input.parentId", "the parent category no longer exists");
    return translateConstraintErrors({ foreignKey: parentGone }, () =>
      db.prisma.$transaction(async (tx) => {
        if (data.parentId !== null) {
          const parent = await requireCategory(tx, data.parentId, "input.parentId");
          if (parent.level !== data.level - 1) {
            throw badUserInput(
              "input.parentId",
              `must be a level-${data.level - 1} category, got level ${parent.level}`,
            );
          }
        }
        return tx.category.create({ data });
      }),
    );
  },

  updateCategory: async (_root, { id, input }, { db }) => {
    const categoryId = parseId(id);
    const data = validateUpdateCategory(input);
    return translateConstraintErrors({ missing: () => notFound("Category", categoryId) }, () =>
      db.prisma.category.update({ where: { id: categoryId }, data }),
    );
  },

  deleteCategory: async (_root, { id }, { db }) => {
    const categoryId = parseId(id);
    await translateConstraintErrors(
      { foreignKey: () => inUse("Category", categoryId), missing: () => notFound("Category", categoryId) },
      () =>
        db.prisma.$transaction(async (tx) => {
          const category = await tx.category.findUnique({
            where: { id: categoryId },
            select: { _count: { select: { goods: true, children: true, brands: true } } },
          });
          if (!category) throw notFound("Category", categoryId);
          const { goods, children, brands } = category._count;
          const usedBy = { goods, subcategories: children, "category-brand pairs": brands };
          if (isUsed(usedBy)) throw inUse("Category", categoryId, usedBy);
          await tx.category.delete({ where: { id: categoryId } });
        }),
    );
    return String(categoryId);
  },
};
