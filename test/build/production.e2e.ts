import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "../support/graphql-client";
import { type ServiceProcess, spawnService } from "../support/service-process";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { anonymousHeaders, asForSpawned } from "../support/tokens";

const SERVICES = { gateway: "gateway", goods: "subgraphs/goods", inventory: "subgraphs/inventory" } as const;

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));

/** Where each workspace package lives, by name. */
const workspaces = new Map<string, string>(
  ["prisma", "subgraphs/common", "subgraphs/goods", "subgraphs/inventory", "gateway", "tools"].map((dir) => [
    readJson(join(repoRoot, dir, "package.json")).name,
    dir,
  ]),
);

/** The npm packages a service may load at run time: its dependencies and those of the workspace packages it bundles. */
function productionDependencies(dir: string, seen = new Set<string>()): Set<string> {
  const allowed = new Set<string>();
  for (const name of Object.keys(readJson(join(repoRoot, dir, "package.json")).dependencies ?? {})) {
    const workspace = workspaces.get(name);
    if (!workspace) allowed.add(name);
    else if (!seen.has(name)) {
      seen.add(name);
      for (const inner of productionDependencies(workspace, seen)) allowed.add(inner);
    }
  }
  return allowed;
}

/** "@scope/name/deep/path" → "@scope/name"; "name/path" → "name". */
const packageOf = (specifier: string) =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] ?? specifier);

describe("the production build", () => {
  beforeAll(() => {
    for (const dir of Object.values(SERVICES)) {
      const build = spawnSync(process.execPath, ["tools/scripts/bundle-service.mjs", dir], {
        cwd: repoRoot,
        encoding: "utf8",
      });
      expect(build.status, build.stderr).toBe(0);
    }
  });

  it.each(Object.entries(SERVICES))(
    "%s: compiled JavaScript that loads only declared production dependencies",
    (_name, dir) => {
      expect(existsSync(join(repoRoot, dir, "dist/index.js"))).toBe(true);
      const meta = readJson(join(repoRoot, dir, "dist/meta.json")) as {
        outputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
      };
      const external = new Set(
        Object.values(meta.outputs)
          .flatMap((output) => output.imports)
          .filter((entry) => entry.external && !entry.path.startsWith("node:") && !builtinModules.includes(entry.path))
          .map((entry) => packageOf(entry.path)),
      );
      expect(external.size).toBeGreaterThan(0);
      const allowed = productionDependencies(dir);
      expect([...external].filter((name) => !allowed.has(name))).toEqual([]);
      // Dev-only tooling never reaches a service.
      for (const tool of ["tsx", "@apollo/composition", "@graphql-inspector/core", "@graphql-codegen/cli", "prisma"])
        expect(external.has(tool)).toBe(false);
    },
  );

  describe("run with plain node", () => {
    const databases: TestDatabase[] = [];
    const processes: ServiceProcess[] = [];
    let gatewayUrl = "";

    beforeAll(async () => {
      const [goodsDb, inventoryDb] = [await createTestDatabase("prod_goods"), await createTestDatabase("prod_inv")];
      databases.push(goodsDb, inventoryDb);
      // memory:// is per process: on PGlite each compiled subgraph gets a fresh embedded database with demo data.
      const env = (url: string, name: "GOODS" | "INVENTORY") => ({
        [`${name}_DATABASE_URL`]: url,
        [`${name}_PORT`]: "0",
        DEMO_DATA: "false",
      });
      const goods = await spawnService("subgraphs/goods/dist/index.js", env(goodsDb.url, "GOODS"));
      const inventory = await spawnService("subgraphs/inventory/dist/index.js", env(inventoryDb.url, "INVENTORY"));
      processes.push(goods, inventory);
      const gateway = await spawnService("gateway/dist/index.js", {
        GATEWAY_PORT: "0",
        GOODS_URL: goods.url,
        INVENTORY_URL: inventory.url,
      });
      processes.push(gateway);
      gatewayUrl = gateway.url;
    });
    afterAll(async () => {
      for (const service of processes) service.child.kill("SIGKILL");
      await Promise.allSettled(databases.map((db) => db.drop()));
    });

    it("serves the federated API, writes stock, and stops cleanly on SIGTERM", async () => {
      const admin = await asForSpawned("admin");
      const adjusted = await gql(
        gatewayUrl,
        `mutation { setStock(goodsId: "7", stocks: 12, reason: "prod smoke") { goodsId stocks version } }`,
        undefined,
        admin,
      );
      // Anonymous, as a storefront: public fields need no token.
      expect(adjusted.errors).toBeUndefined();
      expect(adjusted.data?.setStock).toEqual({ goodsId: "7", stocks: 12, version: 1 });
      const read = await gql(
        gatewayUrl,
        `{ inventory(goodsId: "7") { stocks } goodsList(pageSize: 1) { total } }`,
        undefined,
        anonymousHeaders,
      );
      expect(read.errors).toBeUndefined();
      expect(read.data).toEqual({ inventory: { stocks: 12 }, goodsList: { total: 0 } });

      for (const service of processes) service.child.kill("SIGTERM");
      expect(await Promise.all(processes.map((service) => service.exited))).toEqual([0, 0, 0]);
    });
  });
});
