import { spawnSync } from "node:child_process";
import { ConfigError, loadConfig } from "@emshop/common/config/load";
import { repoRoot } from "@emshop/db/paths";
import { gatewayServiceOptions, loadGatewayConfig } from "@emshop/gateway/config";
import { goodsServiceOptions, loadGoodsConfig } from "@emshop/goods/config";
import { inventoryServiceOptions, loadInventoryConfig } from "@emshop/inventory/config";
import { describe, expect, it } from "vitest";

function issuesOf(load: () => unknown) {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("service configuration", () => {
  it("gives every setting its documented default when nothing is set", () => {
    const goods = goodsServiceOptions(loadGoodsConfig({}));
    expect(goods).toMatchObject({
      port: 4001,
      host: "127.0.0.1", // a subgraph is reachable from this host only, unless GOODS_HOST says otherwise
      demoData: true,
      includeStacktrace: true, // NODE_ENV defaults to development
      auth: { kind: "secret", issuer: "emshop-dev", audience: "emshop-api" },
      shutdown: { delayMs: 0, timeoutMs: 10_000 },
      database: { poolSize: 10, connectTimeoutMs: 5000, statementTimeoutMs: 5000, idleInTransactionTimeoutMs: 10_000 },
    });
    expect(goods.database?.url).toBe(`pglite:${repoRoot}/.data/goods`);
    expect(inventoryServiceOptions(loadInventoryConfig({})).database?.url).toBe(`pglite:${repoRoot}/.data/inventory`);
    expect(gatewayServiceOptions(loadGatewayConfig({}))).toMatchObject({
      port: 4000,
      host: "0.0.0.0", // the gateway is the public edge
      subgraphUrls: { goods: "http://localhost:4001/graphql", inventory: "http://localhost:4002/graphql" },
      timeouts: { queryMs: 2000, mutationMs: 15_000 },
      telemetry: false,
    });
  });

  it("parses what an operator writes", () => {
    const options = inventoryServiceOptions(
      loadInventoryConfig({
        INVENTORY_PORT: "0",
        INVENTORY_DATABASE_URL: "postgresql://shop:secret@db:5432/inventory",
        DB_POOL_SIZE: " 25 ",
        DB_STATEMENT_TIMEOUT_MS: "0",
        DEMO_DATA: "false",
        NODE_ENV: "development",
        EMSHOP_DATA_DIR: "", // empty counts as unset
      }),
    );
    expect(options).toMatchObject({
      port: 0,
      demoData: false,
      includeStacktrace: true,
      database: { url: "postgresql://shop:secret@db:5432/inventory", poolSize: 25, statementTimeoutMs: 0 },
    });
    const gateway = gatewayServiceOptions(
      loadGatewayConfig({ SUBGRAPH_MUTATION_TIMEOUT_MS: "30000", APOLLO_TELEMETRY_DISABLED: "no" }),
    );
    expect(gateway).toMatchObject({ timeouts: { queryMs: 2000, mutationMs: 30_000 }, telemetry: true });
  });

  it("names every bad variable at once, with what it must be", () => {
    const issues = issuesOf(() =>
      loadGoodsConfig({
        DB_POOL_SIZE: "abc",
        GOODS_PORT: "70000",
        DB_CONNECT_TIMEOUT_MS: "1.5",
        DEMO_DATA: "maybe",
        NODE_ENV: "staging",
      }),
    );
    expect(issues).toEqual([
      { variable: "GOODS_PORT", value: '"70000"', message: "must be an integer from 0 to 65535" },
      { variable: "DB_POOL_SIZE", value: '"abc"', message: "must be an integer from 1 to 1000" },
      { variable: "DB_CONNECT_TIMEOUT_MS", value: '"1.5"', message: "must be an integer from 1 to 3600000" },
      { variable: "NODE_ENV", value: '"staging"', message: "must be one of production, development, test" },
      { variable: "DEMO_DATA", value: '"maybe"', message: "must be true or false" },
    ]);
    expect(issuesOf(() => loadGatewayConfig({ GOODS_URL: "localhost:4001", SUBGRAPH_QUERY_TIMEOUT_MS: "0" }))).toEqual([
      { variable: "GOODS_URL", value: '"localhost:4001"', message: "must be an http:// or https:// URL" },
      { variable: "SUBGRAPH_QUERY_TIMEOUT_MS", value: '"0"', message: "must be an integer from 1 to 3600000" },
    ]);
  });

  it("never prints a database URL back: it may hold a password", () => {
    const issues = issuesOf(() => loadInventoryConfig({ INVENTORY_DATABASE_URL: "mysql://root:hunter2@db/shop" }));
    expect(issues).toEqual([
      {
        variable: "INVENTORY_DATABASE_URL",
        value: "(hidden)",
        message: "must be postgresql://…, pglite:<dir> or memory://",
      },
    ]);
    expect(JSON.stringify(issues)).not.toContain("hunter2");
  });

  it("HA PostgreSQL: the direct URL, read replicas and how the timeouts reach the server", () => {
    const defaults = goodsServiceOptions(
      loadGoodsConfig({ GOODS_DATABASE_URL: "postgresql://shop@pgbouncer:6432/goods" }),
    );
    expect(defaults.replicaUrls).toEqual([]);
    expect(defaults.database).toMatchObject({ sessionSettings: "startup" });
    expect(defaults.database).not.toHaveProperty("directUrl");
    const options = goodsServiceOptions(
      loadGoodsConfig({
        GOODS_DATABASE_URL: "postgresql://shop:secret@pgbouncer:6432/goods",
        GOODS_DATABASE_DIRECT_URL: "postgresql://shop:secret@haproxy:5000/goods",
        GOODS_DATABASE_REPLICA_URLS: " postgresql://shop@replica-1:5432/goods, postgres://shop@replica-2/goods ,",
        DB_SESSION_SETTINGS: "server",
      }),
    );
    expect(options).toMatchObject({
      replicaUrls: ["postgresql://shop@replica-1:5432/goods", "postgres://shop@replica-2/goods"],
      database: { directUrl: "postgresql://shop:secret@haproxy:5000/goods", sessionSettings: "server" },
    });
    expect(inventoryServiceOptions(loadInventoryConfig({ DB_SESSION_SETTINGS: "server" })).database).toMatchObject({
      sessionSettings: "server",
    });
    const issues = issuesOf(() =>
      loadGoodsConfig({
        GOODS_DATABASE_DIRECT_URL: "pglite:/tmp/x",
        GOODS_DATABASE_REPLICA_URLS: "postgresql://ok@r1/goods,mysql://root:hunter2@r2/goods",
        DB_SESSION_SETTINGS: "pgbouncer",
      }),
    );
    expect(issues).toEqual([
      { variable: "GOODS_DATABASE_DIRECT_URL", value: "(hidden)", message: "must be postgresql://…" },
      {
        variable: "GOODS_DATABASE_REPLICA_URLS",
        value: "(hidden)",
        message: "must be postgresql://… URLs, comma-separated",
      },
      { variable: "DB_SESSION_SETTINGS", value: '"pgbouncer"', message: "must be one of startup, server" },
    ]);
    expect(JSON.stringify(issues)).not.toContain("hunter2");
    // Embedded PGlite has neither a pooler in front nor replicas.
    expect(
      issuesOf(() =>
        goodsServiceOptions(
          loadGoodsConfig({ GOODS_DATABASE_URL: "memory://", GOODS_DATABASE_REPLICA_URLS: "postgresql://r1/goods" }),
        ),
      ),
    ).toEqual([
      {
        variable: "GOODS_DATABASE_REPLICA_URLS",
        value: "(hidden)",
        message: "only with a postgresql://… GOODS_DATABASE_URL (embedded PGlite has no pooler and no replicas)",
      },
    ]);
  });

  it("reads only the variables it declares", () => {
    expect(loadConfig("x", {}, { DB_POOL_SIZE: "abc" })).toEqual({});
  });

  it.each([
    ["goods", "subgraphs/goods/src/index.ts", { DB_POOL_SIZE: "abc" }, 'DB_POOL_SIZE="abc": must be an integer'],
    ["inventory", "subgraphs/inventory/src/index.ts", { INVENTORY_PORT: "-1" }, 'INVENTORY_PORT="-1": must be'],
    ["gateway", "gateway/src/index.ts", { SUBGRAPH_MUTATION_TIMEOUT_MS: "soon" }, "SUBGRAPH_MUTATION_TIMEOUT_MS="],
  ])("the %s process refuses to start on a bad value: exit 1, the variable named", (_name, entry, env, expected) => {
    const child = spawnSync(process.execPath, ["--import", "tsx", entry], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain("invalid configuration");
    expect(child.stderr).toContain(expected);
  });
});
