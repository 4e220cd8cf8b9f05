import type { AuthContext } from "@emshop/common/auth/access-rules";
import { type AuthState, anonymous } from "@emshop/common/auth/verify";
import type { GoodsDb } from "@emshop/db/goods";
import { createLoaders, type Loaders } from "./loaders";

export interface GoodsContext extends AuthContext {
  db: GoodsDb;
  loaders: Loaders;
}

/** A fresh context (and fresh loaders) for every request; `auth` is the verified caller. */
export const createContext = (db: GoodsDb, request: { auth?: AuthState } = {}): GoodsContext => ({
  db,
  loaders: createLoaders(db),
  auth: request.auth ?? anonymous,
});
