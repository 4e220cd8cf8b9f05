import type { ApolloServerPlugin } from "@apollo/server";
import type { GoodsContext } from "./context";
import { createLoaders } from "./loaders";

/**
 * A mutation reads its own writes: once Apollo knows the request is a
 * mutation (before any resolver runs), the request's reads go to the
 * primary, its loaders included, so the answer's fields (a created goods'
 * category, a renamed brand) never come from a replica that has not replayed
 * the write yet. Queries keep reading where `reads` points.
 *
 * Apollo hands the resolvers a shallow copy of the context built per request,
 * so the loaders are made anew on that copy (nothing has been loaded yet).
 */
export const readYourWritesPlugin = (): ApolloServerPlugin<GoodsContext> => ({
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, contextValue }) {
        if (operation?.operation !== "mutation" || contextValue.reads === contextValue.db) return;
        contextValue.reads = contextValue.db;
        contextValue.loaders = createLoaders(contextValue, contextValue.catalog);
      },
    };
  },
});
