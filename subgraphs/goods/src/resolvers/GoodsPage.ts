import type { GoodsPageResolvers } from "../generated/resolvers-types";
import { countLimit } from "../paging";

export const GoodsPage: GoodsPageResolvers = {
  total: (page) => page.total(),
  totalUpTo: async (page, { limit }) => {
    const cap = countLimit(limit);
    // One more than the cap tells "exactly cap" from "more than cap".
    const counted = await page.countUpTo(cap + 1);
    return { count: Math.min(counted, cap), exact: counted <= cap };
  },
};
