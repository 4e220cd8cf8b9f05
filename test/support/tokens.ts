import { mintToken, type TokenClaims } from "@emshop/common/auth/mint";
import { createTokenVerifier } from "@emshop/common/auth/verify";
import { developmentAuth } from "@emshop/common/config/auth";

const key = {
  secret: developmentAuth.kind === "secret" ? developmentAuth.secret : "",
  issuer: developmentAuth.issuer,
  audience: developmentAuth.audience,
};

/**
 * The HS256 secret of services the tests start as their own processes: they
 * run with NODE_ENV=production, which refuses the development secret.
 */
export const SPAWNED_SERVICE_SECRET = "test-only-secret-for-spawned-services-0123456789";

/** A token the services accept with their default (development) settings, or signed with `secret`. */
export const token = (claims: Partial<TokenClaims> & { subject?: string } = {}, secret = key.secret) =>
  mintToken({ ...key, secret }, { subject: "test-admin", role: "admin", ttlSeconds: 3600, ...claims });

/** `Authorization` headers for a caller with a role (the ledger's actor is "<subject> (<role>)"). */
export async function as(role: string, subject = `test-${role}`, secret = key.secret): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await token({ subject, role }, secret)}` };
}

/** The same for a service started with spawnService. */
export const asForSpawned = (role: string, subject = `test-${role}`) => as(role, subject, SPAWNED_SERVICE_SECRET);

/** No Authorization header at all: an anonymous shopper. */
export const anonymousHeaders = { authorization: "" };

/** How the services verify tokens by default (the in-process clients use the same). */
export const developmentVerifier = createTokenVerifier(developmentAuth);
