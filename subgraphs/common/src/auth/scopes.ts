/** Every scope an access rule in the SDL may require (`@requiresScopes`). */
export const SCOPES = ["catalog:write", "stock:write", "stock:sell", "stock:audit"] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Roles map to scopes here and nowhere else. A token carries a `role` claim
 * (and may carry extra scopes in `scope`, space-separated, as OAuth does).
 */
export const ROLE_SCOPES: Record<string, readonly Scope[]> = {
  admin: SCOPES,
  "order-service": ["stock:sell"],
  // The gateway's own credential: the stockChanged subscription reads the change feed with it.
  gateway: ["stock:audit"],
};

export const ROLES = Object.keys(ROLE_SCOPES);
