import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { openGoodsDb } from "@emshop/db/goods";
import { migrate } from "@emshop/db/migrate";
import { repoRoot } from "@emshop/db/paths";
import { startGatewayService } from "@emshop/gateway/main";
import { startGoodsService } from "@emshop/goods/main";
import { startInventoryService } from "@emshop/inventory/main";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "../support/graphql-client";
import { createTestDatabase, onPostgres, type TestDatabase } from "../support/test-database";
import { createLegacyShop, EXPECTED_COUNTS, LEGACY_GOODS } from "./legacy-fixture";

const run = promisify(execFile);

/**
 * The real CLI, as an operator runs it, on databases configured the way the
 * services are (GOODS_DATABASE_URL / INVENTORY_DATABASE_URL); then the
 * migration drops the column and the API still serves every goods.
 */
describe("npm run stocks:reconcile (the CLI) and the API after the migration", () => {
  const workDir = mkdtempSync(join(tmpdir(), "emshop-reconcile-cli-"));
  const databases: TestDatabase[] = [];
  let urls: { goods: string; inventory: string };

  beforeAll(async () => {
    if (onPostgres) {
      databases.push(await createTestDatabase("cli_goods"), await createTestDatabase("cli_inventory"));
      urls = { goods: databases[0]?.url ?? "", inventory: databases[1]?.url ?? "" };
    } else {
      // PGlite keeps a database in a directory; the CLI (another process) opens it after the fixture closes it.
      urls = { goods: `pglite:${join(workDir, "goods")}`, inventory: `pglite:${join(workDir, "inventory")}` };
    }
    const shop = await createLegacyShop("cli", urls);
    await shop.close();
  });
  afterAll(async () => {
    for (const database of databases) await database.drop();
    rmSync(workDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    run("npx", ["tsx", "subgraphs/inventory/src/reconcile/cli.ts", ...args], {
      cwd: repoRoot,
      env: { ...process.env, GOODS_DATABASE_URL: urls.goods, INVENTORY_DATABASE_URL: urls.inventory },
    });

  it("dry run --json: exit 0, the counts per class and a report file", async () => {
    const { stdout } = await cli("--json", "--report", join(workDir, "dry.jsonl"));
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ status: "dry_run", reportPath: join(workDir, "dry.jsonl"), reportRows: 8 });
    expect(result.summary.counts).toEqual(EXPECTED_COUNTS);
  });

  it("apply, then a second apply that says it is a no-op", async () => {
    const first = JSON.parse((await cli("--apply", "--json", "--batch-size", "2")).stdout);
    expect(first).toMatchObject({ status: "applied", backedUp: 6, created: 2 });
    const second = await cli("--apply", "--report", join(workDir, "again.jsonl"));
    expect(second.stdout).toContain("already applied: nothing to do (no-op).");
  });

  it("rejects bad options with a non-zero exit and a clear message", async () => {
    const failure = await cli("--batch-size", "0").catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: expect.any(Number) });
    expect((failure as { code: number }).code).not.toBe(0);
    expect((failure as { stderr: string }).stderr).toMatch(/--batch-size.*must be a positive integer/);
  });

  it("after `db:migrate` drops the column, the gateway serves every goods with its inventory stock", async () => {
    const goodsDb = await openGoodsDb({ url: urls.goods });
    try {
      expect(await migrate(goodsDb.sql, "goods")).toEqual(["0003_drop_goods_stocks.sql"]);
    } finally {
      await goodsDb.close();
    }
    const quiet = () => undefined;
    const goods = await startGoodsService({ port: 0, database: { url: urls.goods }, log: quiet, demoData: false });
    const inventory = await startInventoryService({
      port: 0,
      database: { url: urls.inventory },
      log: quiet,
      demoData: false,
    });
    const gateway = await startGatewayService({
      port: 0,
      subgraphUrls: { goods: goods.url, inventory: inventory.url },
    });
    try {
      const response = await gql(gateway.url, "{ goodsList(pageSize: 100) { total items { id stocks } } }");
      expect(response.errors).toBeUndefined();
      expect(response.data?.goodsList.total).toBe(Object.keys(LEGACY_GOODS).length);
      const stocks = Object.fromEntries(
        response.data?.goodsList.items.map((item: { id: string; stocks: number | null }) => [item.id, item.stocks]),
      );
      // Inventory won every drift; missing rows came from the legacy value; no value anywhere stays null.
      expect(stocks).toEqual({ 1: 10, 2: 8, 3: 2, 4: 7, 5: 4, 6: null, 7: 0, 8: 12 });
    } finally {
      await gateway.stop();
      await Promise.all([goods.stop(), inventory.stop()]);
    }
  });
});
