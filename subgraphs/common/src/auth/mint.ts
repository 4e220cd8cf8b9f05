import { SignJWT } from "jose";

export interface TokenClaims {
  subject: string;
  role?: string;
  /** Extra scopes besides the role's, space-separated in the token as OAuth does. */
  scopes?: string[];
  clientId?: string;
  /** Lifetime in seconds (negative: already expired, for tests). */
  ttlSeconds: number;
}

/** Signs an HS256 token the services accept (development secret, or a configured shared secret). */
export async function mintToken(
  key: { secret: string; issuer: string; audience: string },
  claims: TokenClaims,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    ...(claims.role ? { role: claims.role } : {}),
    ...(claims.scopes?.length ? { scope: claims.scopes.join(" ") } : {}),
    ...(claims.clientId ? { client_id: claims.clientId } : {}),
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.subject)
    .setIssuer(key.issuer)
    .setAudience(key.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + claims.ttlSeconds)
    .sign(new TextEncoder().encode(key.secret));
}
