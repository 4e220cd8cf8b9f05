import { ConfigError, type ConfigIssue } from "./load";
import { type ConfigOf, integer, oneOf, type Setting, text } from "./settings";

/**
 * The development signing secret: what `npm start` and `npm run token` use
 * when nothing is configured. Public (it is in the repository), so a service
 * with NODE_ENV=production refuses to start with it.
 */
export const DEVELOPMENT_JWT_SECRET = "emshop-development-secret-not-for-production!";

/** The smallest HS256 secret accepted in production (RFC 7518 §3.2: at least the hash size). */
export const MIN_HS_SECRET_BYTES = 32;

/** How the subgraphs verify bearer tokens (the gateway forwards them; each subgraph checks for itself). */
export const authSettings = {
  AUTH_JWT_SECRET: text({
    defaultText: "the development secret (refused in production)",
    description:
      "HS256 shared secret (≥ 32 bytes in production); set exactly one of it, AUTH_JWT_PUBLIC_KEY, AUTH_JWKS_URL",
    secret: true,
  }),
  AUTH_JWT_PUBLIC_KEY: text({
    defaultText: "none",
    description: "PEM public key (SPKI) for RS256/ES256 tokens",
  }),
  AUTH_JWKS_URL: text({
    defaultText: "none",
    description: "JWKS URL of the token issuer; keys are cached and refetched on an unknown `kid`",
  }),
  AUTH_JWT_ALGORITHM: oneOf({
    values: ["RS256", "ES256"],
    default: "RS256",
    description: "algorithm of AUTH_JWT_PUBLIC_KEY / AUTH_JWKS_URL tokens (AUTH_JWT_SECRET is always HS256)",
  }),
  AUTH_ISSUER: text({ default: "emshop-dev", description: "required `iss` of every token" }),
  AUTH_AUDIENCE: text({ default: "emshop-api", description: "required `aud` of every token" }),
  AUTH_CLOCK_TOLERANCE_S: integer({
    default: 30,
    min: 0,
    max: 300,
    description: "seconds of clock skew allowed when checking `exp` and `nbf`",
  }),
} satisfies Record<string, Setting<unknown>>;

type AuthConfig = ConfigOf<typeof authSettings> & { NODE_ENV: string };

/** What the token verifier needs: one key source, the claims every token must carry. */
export type AuthOptions = (
  | { kind: "secret"; secret: string }
  | { kind: "public-key"; publicKey: string; algorithm: "RS256" | "ES256" }
  | {
      kind: "jwks";
      jwksUrl: string;
      algorithm: "RS256" | "ES256";
      /** No refetch within this long after a fetch (jose's default 30 s; tests shorten it). */
      cooldownMs?: number;
    }
) & { issuer: string; audience: string; clockToleranceS: number };

/**
 * The verification settings, with the rules a production service must meet:
 * one key source, never the development secret, no short HS secret.
 * Violations are ConfigErrors (exit 1 at start, every problem named).
 */
export function authOptions(service: string, config: AuthConfig): AuthOptions {
  const sources = [config.AUTH_JWT_SECRET, config.AUTH_JWT_PUBLIC_KEY, config.AUTH_JWKS_URL].filter(Boolean);
  const issues: ConfigIssue[] = [];
  const production = config.NODE_ENV === "production";
  if (sources.length > 1)
    issues.push({
      variable: "AUTH_JWT_SECRET",
      value: "(hidden)",
      message: "set only one of AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY, AUTH_JWKS_URL",
    });
  if (production && sources.length === 0)
    issues.push({
      variable: "AUTH_JWT_SECRET",
      value: '""',
      message: "production needs a verification key: AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL",
    });
  const secret = config.AUTH_JWT_SECRET;
  if (production && secret === DEVELOPMENT_JWT_SECRET)
    issues.push({ variable: "AUTH_JWT_SECRET", value: "(hidden)", message: "is the public development secret" });
  else if (production && secret && Buffer.byteLength(secret) < MIN_HS_SECRET_BYTES)
    issues.push({
      variable: "AUTH_JWT_SECRET",
      value: "(hidden)",
      message: `must be at least ${MIN_HS_SECRET_BYTES} bytes in production`,
    });
  if (config.AUTH_JWKS_URL && !URL.canParse(config.AUTH_JWKS_URL))
    issues.push({ variable: "AUTH_JWKS_URL", value: JSON.stringify(config.AUTH_JWKS_URL), message: "must be a URL" });
  if (issues.length > 0) throw new ConfigError(service, issues);

  const claims = {
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    clockToleranceS: config.AUTH_CLOCK_TOLERANCE_S,
  };
  if (config.AUTH_JWT_PUBLIC_KEY)
    return {
      kind: "public-key",
      publicKey: config.AUTH_JWT_PUBLIC_KEY,
      algorithm: config.AUTH_JWT_ALGORITHM,
      ...claims,
    };
  if (config.AUTH_JWKS_URL)
    return { kind: "jwks", jwksUrl: config.AUTH_JWKS_URL, algorithm: config.AUTH_JWT_ALGORITHM, ...claims };
  return { kind: "secret", secret: secret ?? DEVELOPMENT_JWT_SECRET, ...claims };
}

/** The options `npm start`, in-process tests and `npm run token` share when nothing is configured. */
export const developmentAuth: AuthOptions = {
  kind: "secret",
  secret: DEVELOPMENT_JWT_SECRET,
  issuer: "emshop-dev",
  audience: "emshop-api",
  clockToleranceS: 30,
};
