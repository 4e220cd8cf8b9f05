import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTokenVerifier } from "@emshop/common/auth/verify";
import { type AuthOptions, authOptions, DEVELOPMENT_JWT_SECRET, developmentAuth } from "@emshop/common/config/auth";
import { ConfigError } from "@emshop/common/config/load";
import { repoRoot } from "@emshop/db/paths";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { token } from "../support/tokens";

const claims = { issuer: "emshop-dev", audience: "emshop-api", clockToleranceS: 30 };
const bearer = (jwt: string) => `Bearer ${jwt}`;

async function signed(
  key: Parameters<SignJWT["sign"]>[0],
  alg: string,
  extra: { kid?: string; iss?: string; aud?: string; exp?: number } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: "admin" })
    .setProtectedHeader({ alg, ...(extra.kid ? { kid: extra.kid } : {}) })
    .setSubject("alice")
    .setIssuer(extra.iss ?? "emshop-dev")
    .setAudience(extra.aud ?? "emshop-api")
    .setExpirationTime(extra.exp ?? now + 600)
    .sign(key);
}

describe("token verification", () => {
  it("accepts a development token and names its subject, role and scopes", async () => {
    const verify = await createTokenVerifier(developmentAuth);
    const state = await verify(bearer(await token({ subject: "alice", role: "order-service" })));
    expect(state.principal).toMatchObject({ subject: "alice", role: "order-service" });
    expect([...(state.principal?.scopes ?? [])]).toEqual(["stock:sell"]);
    expect(await verify(undefined)).toEqual({ principal: null, problem: null });
  });

  it.each([
    ["expired beyond the clock tolerance", () => token({ ttlSeconds: -120 }), "the token has expired"],
    [
      "signed with another secret",
      () => token({}, "another-secret-another-secret-another-secret"),
      "the token's signature is invalid",
    ],
    [
      "from another issuer",
      () => signed(new TextEncoder().encode(DEVELOPMENT_JWT_SECRET), "HS256", { iss: "evil" }),
      "the token's iss claim is not accepted",
    ],
    [
      "for another audience",
      () => signed(new TextEncoder().encode(DEVELOPMENT_JWT_SECRET), "HS256", { aud: "other" }),
      "the token's aud claim is not accepted",
    ],
    ["not a JWT", async () => "abc.def.ghi", "the token is malformed"],
  ])("refuses a token %s, saying why", async (_case, make, problem) => {
    const verify = await createTokenVerifier(developmentAuth);
    expect(await verify(bearer(await make()))).toEqual({ principal: null, problem });
  });

  it("refuses alg none and a header that is not Bearer", async () => {
    const verify = await createTokenVerifier(developmentAuth);
    const payload = Buffer.from(
      JSON.stringify({ sub: "mallory", role: "admin", iss: "emshop-dev", aud: "emshop-api", exp: 9e9 }),
    ).toString("base64url");
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${payload}.`;
    expect((await verify(bearer(none))).principal).toBeNull();
    expect(await verify("Basic YWRtaW46YWRtaW4=")).toMatchObject({
      principal: null,
      problem: expect.stringContaining("Bearer"),
    });
  });

  it("allows a token that expired within the clock tolerance", async () => {
    const verify = await createTokenVerifier(developmentAuth);
    expect((await verify(bearer(await token({ ttlSeconds: -10 })))).principal?.subject).toBe("test-admin");
  });

  it("verifies RS256 and ES256 tokens with a configured public key", async () => {
    for (const alg of ["RS256", "ES256"] as const) {
      const { publicKey, privateKey } = await generateKeyPair(alg);
      const pem = await exportSPKI(publicKey);
      const verify = await createTokenVerifier({ kind: "public-key", publicKey: pem, algorithm: alg, ...claims });
      expect((await verify(bearer(await signed(privateKey, alg)))).principal?.subject).toBe("alice");
      // An HS256 token signed with the public key text (the classic confusion attack) is refused.
      const confused = await signed(new TextEncoder().encode(pem), "HS256");
      expect((await verify(bearer(confused))).principal).toBeNull();
    }
  });

  describe("a JWKS URL", () => {
    let server: Server;
    let keys: object[] = [];
    let fetches = 0;
    afterAll(() => server?.close());

    it("fetches the key set, and again when a token names an unknown kid (key rotation)", async () => {
      const first = await generateKeyPair("RS256");
      const second = await generateKeyPair("RS256");
      keys = [{ ...(await exportJWK(first.publicKey)), kid: "one", alg: "RS256" }];
      server = createServer((_req, res) => {
        fetches++;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys }));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
      const options: AuthOptions = { kind: "jwks", jwksUrl: url, algorithm: "RS256", cooldownMs: 0, ...claims };
      const verify = await createTokenVerifier(options);

      expect((await verify(bearer(await signed(first.privateKey, "RS256", { kid: "one" })))).principal?.subject).toBe(
        "alice",
      );
      expect((await verify(bearer(await signed(first.privateKey, "RS256", { kid: "one" })))).principal).not.toBeNull();
      expect(fetches).toBe(1); // cached

      keys = [...keys, { ...(await exportJWK(second.publicKey)), kid: "two", alg: "RS256" }];
      expect((await verify(bearer(await signed(second.privateKey, "RS256", { kid: "two" })))).principal?.subject).toBe(
        "alice",
      );
      expect(fetches).toBe(2);
      expect(await verify(bearer(await signed(second.privateKey, "RS256", { kid: "three" })))).toMatchObject({
        principal: null,
        problem: "no key matches the token's kid",
      });
    });
  });
});

describe("production refuses weak or missing keys", () => {
  const production = (env: Record<string, string>) => ({
    AUTH_ISSUER: "shop",
    AUTH_AUDIENCE: "api",
    AUTH_CLOCK_TOLERANCE_S: 30,
    AUTH_JWT_ALGORITHM: "RS256" as const,
    AUTH_JWT_SECRET: undefined,
    AUTH_JWT_PUBLIC_KEY: undefined,
    AUTH_JWKS_URL: undefined,
    NODE_ENV: "production",
    ...env,
  });
  const messages = (env: Record<string, string>) => {
    try {
      authOptions("inventory", production(env));
    } catch (error) {
      if (error instanceof ConfigError) return error.issues.map((issue) => issue.message);
      throw error;
    }
    return [];
  };

  it.each([
    ["no key at all", {}, "production needs a verification key"],
    ["the development secret", { AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET }, "is the public development secret"],
    ["a short HS secret", { AUTH_JWT_SECRET: "short-secret" }, "must be at least 32 bytes in production"],
    [
      "two key sources",
      { AUTH_JWT_SECRET: "x".repeat(40), AUTH_JWKS_URL: "https://id.example/jwks" },
      "set only one of",
    ],
  ])("%s", (_case, env, expected) => {
    expect(messages(env as Record<string, string>).join("; ")).toContain(expected);
  });

  it("accepts a 32-byte secret, and development keeps its secret", () => {
    expect(messages({ AUTH_JWT_SECRET: "s".repeat(32) })).toEqual([]);
    expect(authOptions("inventory", production({ NODE_ENV: "development" }))).toMatchObject({
      kind: "secret",
      secret: DEVELOPMENT_JWT_SECRET,
    });
  });

  it("a production process with the development secret exits 1 before listening, naming the variable", () => {
    const child = spawnSync(process.execPath, ["--import", "tsx", "subgraphs/inventory/src/index.ts"], {
      cwd: repoRoot,
      env: {
        ...process.env,
        NODE_ENV: "production",
        INVENTORY_DATABASE_URL: "memory://",
        INVENTORY_PORT: "0",
        AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET,
      },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain("AUTH_JWT_SECRET=(hidden): is the public development secret");
    expect(child.stdout).not.toContain("serving");
  });
});

describe("npm run token", () => {
  it("mints a token the services accept, with the role's scopes", async () => {
    const child = spawnSync(
      "npm",
      ["run", "-s", "token", "--", "--role", "order-service", "--subject", "orders-1", "--ttl", "5m"],
      {
        cwd: repoRoot,
        encoding: "utf8",
        env: { ...process.env, AUTH_JWT_SECRET: "" },
        timeout: 30_000,
      },
    );
    expect(child.status, child.stderr).toBe(0);
    const verify = await createTokenVerifier(developmentAuth);
    const state = await verify(bearer(child.stdout.trim()));
    expect(state.principal).toMatchObject({ subject: "orders-1", role: "order-service" });
  });

  it("refuses an unknown role with exit code 1 and the allowed ones", () => {
    const child = spawnSync("npm", ["run", "-s", "token", "--", "--role", "root"], {
      cwd: repoRoot,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(child.status).not.toBe(0);
    expect(child.stderr).toContain("admin, order-service");
  });
});
