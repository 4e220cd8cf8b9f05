import { createRemoteJWKSet, errors, importSPKI, type JWTPayload, jwtVerify, type KeyObject } from "jose";
import type { AuthOptions } from "../config/auth";
import { ROLE_SCOPES } from "./scopes";

/** Who is calling, from a verified token. */
export interface Principal {
  /** The token's `sub`. */
  subject: string;
  role: string | null;
  /** The calling client (`client_id` or `azp`), e.g. the order service's id. */
  client: string | null;
  scopes: ReadonlySet<string>;
}

/**
 * The outcome of reading a request's `Authorization` header: nobody (no
 * header: public fields still work), a principal, or a reason the token was
 * refused (then protected fields answer UNAUTHENTICATED with it).
 */
export type AuthState = { principal: Principal; problem?: undefined } | { principal: null; problem: string | null };

export const anonymous: AuthState = { principal: null, problem: null };

export type TokenVerifier = (authorization: string | undefined) => Promise<AuthState>;

type Key = Parameters<typeof jwtVerify>[1];

async function keyOf(options: AuthOptions): Promise<{ key: Key | KeyObject; algorithms: string[] }> {
  if (options.kind === "secret") return { key: new TextEncoder().encode(options.secret), algorithms: ["HS256"] };
  if (options.kind === "public-key")
    // Env variables often carry PEM newlines as "\n".
    return {
      key: await importSPKI(options.publicKey.replaceAll("\\n", "\n"), options.algorithm),
      algorithms: [options.algorithm],
    };
  // jose caches the key set and refetches it when a token names an unknown `kid` (with a cooldown).
  return {
    key: createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: options.cooldownMs ?? 30_000 }),
    algorithms: [options.algorithm],
  };
}

function principalOf(payload: JWTPayload): Principal | string {
  if (typeof payload.sub !== "string" || payload.sub.length === 0) return "the token has no subject (sub)";
  const role = typeof payload.role === "string" ? payload.role : null;
  if (role !== null && !ROLE_SCOPES[role]) return `unknown role "${role}"`;
  const granted = typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : [];
  const client = [payload.client_id, payload.azp].find((value): value is string => typeof value === "string") ?? null;
  return {
    subject: payload.sub.slice(0, 60),
    role,
    client: client?.slice(0, 30) ?? null,
    scopes: new Set([...(role ? (ROLE_SCOPES[role] ?? []) : []), ...granted]),
  };
}

/** What a refused token is told: the kind of problem, never the key or the token. */
function problemOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "the token has expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the token's signature is invalid";
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not accepted";
  if (error instanceof errors.JWKSNoMatchingKey) return "no key matches the token's kid";
  return "the token is malformed";
}

/** Builds the verifier once per service (it holds the imported key / the cached JWKS). */
export async function createTokenVerifier(options: AuthOptions): Promise<TokenVerifier> {
  const { key, algorithms } = await keyOf(options);
  return async (authorization) => {
    if (authorization === undefined || authorization === "") return anonymous;
    const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization.trim());
    if (!match?.[1]) return { principal: null, problem: "the Authorization header is not `Bearer <token>`" };
    try {
      const { payload } = await jwtVerify(match[1], key as Parameters<typeof jwtVerify>[1], {
        issuer: options.issuer,
        audience: options.audience,
        algorithms,
        clockTolerance: options.clockToleranceS,
        requiredClaims: ["exp", "sub"],
      });
      const principal = principalOf(payload);
      return typeof principal === "string" ? { principal: null, problem: principal } : { principal };
    } catch (error) {
      return { principal: null, problem: problemOf(error) };
    }
  };
}
