import { notFound, parseId } from "@emshop/common/errors";
import { translateConstraintErrors } from "../../db-errors";
import type { MutationResolvers } from "../../generated/resolvers-types";
import { validateBanner } from "../../validation/catalog";

export const bannerMutations: MutationResolvers = {
  createBanner: (_root, { input }, { db }) => db.prisma.banner.create({ data: validateBanner(input) }),

  updateBanner: async (_root, { id, input }, { db }) => {
    const bannerId = parseId(id);
    const data = validateBanner(input);
    return translateConstraintErrors({ missing: () => notFound("Banner", bannerId) }, () =>
      db.prisma.banner.update({ where: { id: bannerId }, data }),
    );
  },

  deleteBanner: async (_root, { id }, { db }) => {
    const bannerId = parseId(id);
    await translateConstraintErrors({ missing: () => notFound("Banner", bannerId) }, () =>
      db.prisma.banner.delete({ where: { id: bannerId }, select: { id: true } }),
    );
    return String(bannerId);
  },
};
