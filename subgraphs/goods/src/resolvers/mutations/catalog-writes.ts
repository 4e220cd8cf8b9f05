import type { GoodsContext } from "../../context";
import type { MutationResolvers } from "../../generated/resolvers-types";

type Resolver = (parent: unknown, args: unknown, context: GoodsContext, info: unknown) => unknown;

/**
 * Mutations drop what this replica remembers of what they wrote as soon as
 * they return (or fail: a write may have committed before the error), before
 * their answer's fields are resolved, so the answer, and the next page read
 * here, shows the change. Other replicas learn of it from the database's
 * NOTIFY (../../catalog-cache).
 */
function invalidating(resolvers: MutationResolvers, drop: (context: GoodsContext) => void): MutationResolvers {
  const wrapped: Record<string, Resolver> = {};
  for (const [name, resolver] of Object.entries(resolvers as Record<string, Resolver>))
    wrapped[name] = async (parent, args, context, info) => {
      try {
        return await resolver(parent, args, context, info);
      } finally {
        drop(context);
      }
    };
  return wrapped as MutationResolvers;
}

/** Writes of the category tree, brands or their pairing: the catalog copy and the counts go. */
export const invalidatingCatalog = (resolvers: MutationResolvers) =>
  invalidating(resolvers, (context) => context.catalog?.invalidate());

/** Writes of goods: the counts go. */
export const invalidatingCounts = (resolvers: MutationResolvers) =>
  invalidating(resolvers, (context) => context.catalog?.invalidateCounts());
