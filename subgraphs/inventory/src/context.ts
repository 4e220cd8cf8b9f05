import type { IncomingHttpHeaders } from "node:http";
import type { InventoryDb } from "@emshop/db/inventory";
import { createLoaders, type Loaders } from "./loaders";

export interface InventoryContext {
  db: InventoryDb;
  loaders: Loaders;
  /**
   * Who is acting, from the `x-actor` request header (the gateway forwards
   * it), written to the ledger. Nothing authenticates it yet: it is recorded
   * as claimed, for audit, and is null when absent.
   */
  actor: string | null;
}

const MAX_ACTOR_LENGTH = 100;

export function actorFrom(headers: IncomingHttpHeaders = {}): string | null {
  const raw = headers["x-actor"];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? value.slice(0, MAX_ACTOR_LENGTH) : null;
}

/** A fresh context (and fresh loaders) for every request. */
export const createContext = (db: InventoryDb, request?: { headers: IncomingHttpHeaders }): InventoryContext => ({
  db,
  loaders: createLoaders(db),
  actor: actorFrom(request?.headers),
});
