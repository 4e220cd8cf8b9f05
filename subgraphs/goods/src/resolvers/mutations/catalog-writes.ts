import type { GoodsContext } from "../../context";
import type { MutationResolvers } from "../../generated/resolvers-types";

type Resolver = (parent: unknown, args: unknown, context: GoodsContext, info: unknown) => unknown;

/**
 * Mutations that write the category tree, brands or their pairing drop this
 * replica's catalog copy as soon as they return (or fail: a write may have
 * committed before the error), before their answer's fields are resolved, so
 * the answer shows the change. Other replicas learn of it from the database's
 * NOTIFY (../../catalog-cache).
 */
export function invalidatingCatalog(resolvers: MutationResolvers): MutationResolvers {
  const wrapped: Record<string, Resolver> = {};
  for (const [name, resolver] of Object.entries(resolvers as Record<string, Resolver>))
    wrapped[name] = async (parent, args, context, info) => {
      try {
        return await resolver(parent, args, context, info);
      } finally {
        context.catalog?.invalidate();
      }
    };
  return wrapped as MutationResolvers;
}
