// `npm run token -- --role admin [--subject alice] [--ttl 8h] [--scope stock:audit]`:
// prints a signed bearer token for development and tests, with the secret the
// services verify with (AUTH_JWT_SECRET, else the development secret).
import { mintToken } from "@emshop/common/auth/mint";
import { ROLES } from "@emshop/common/auth/scopes";
import { authSettings, DEVELOPMENT_JWT_SECRET } from "@emshop/common/config/auth";
import { ConfigError, loadConfig } from "@emshop/common/config/load";
import { Command, InvalidArgumentError, Option } from "commander";

/** "90", "90s", "15m", "8h", "7d" → seconds. */
function parseTtl(value: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError("use seconds or a number with s, m, h or d (e.g. 8h)");
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as "" | "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}

const program = new Command("token")
  .description("Mints an HS256 bearer token the services accept (development and tests).")
  .addOption(new Option("--role <role>", "role, which grants its scopes").choices(ROLES).makeOptionMandatory())
  .option("--subject <sub>", "who the token speaks for (the ledger's actor)")
  .option("--ttl <duration>", "lifetime", parseTtl, 8 * 3600)
  .option("--scope <scope...>", "extra scopes besides the role's")
  .option("--client <id>", "client id (e.g. the order service's)")
  .parse();

const options = program.opts<{ role: string; subject?: string; ttl: number; scope?: string[]; client?: string }>();
try {
  const config = loadConfig("token", authSettings, process.env);
  if (config.AUTH_JWT_PUBLIC_KEY || config.AUTH_JWKS_URL) {
    console.error("token: the services verify RS256/ES256 tokens here; mint them with your identity provider");
    process.exit(1);
  }
  const token = await mintToken(
    {
      secret: config.AUTH_JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
    },
    {
      subject: options.subject ?? `dev-${options.role}`,
      role: options.role,
      ttlSeconds: options.ttl,
      ...(options.scope ? { scopes: options.scope } : {}),
      ...(options.client ? { clientId: options.client } : {}),
    },
  );
  console.log(token);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
