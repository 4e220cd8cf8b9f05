import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { openGoodsDb } from "@emshop/db/goods";
import { migrate } from "@emshop/db/migrate";
import { repoRoot } from "@emshop/db/paths";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "../support/graphql-client";
import { startServicesOn } from "../support/services-on";
import { createTestDatabase, onPostgres, type TestDatabase } from "../support/test-database";
import { goodsMigrationsFrom, readReport } from "./helpers";
import { createLegacyShop, EXPECTED_COUNTS, LEGACY_GOODS } from "./legacy-fixture";

const execFileAsync = promisify(execFile);

/**
 * The real CLI, as an operator runs it (`npm run -s stocks:reconcile -- …`), on
 * databases configured the way the services are (GOODS_DATABASE_URL /
 * INVENTORY_DATABASE_URL); then the migration drops the column and the API
 * still serves every goods and its stock through the gateway.
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

  /** Resolves with the exit code and both outputs, whatever the exit code. */
  const cli = (args: string[], env: Record<string, string> = {}) =>
    execFileAsync("npm", ["run", "-s", "stocks:reconcile", "--", ...args], {
      cwd: repoRoot,
      env: { ...process.env, GOODS_DATABASE_URL: urls.goods, INVENTORY_DATABASE_URL: urls.inventory, ...env },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  const json = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1) ?? "");

  it("dry run --json: exit 0, counts per class, a report file; the human output has the table", async () => {
    const report = join(workDir, "dry.jsonl");
    const { code, stdout } = await cli(["--json", "--report", report]);
    expect(code).toBe(0);
    expect(json(stdout)).toMatchObject({
      status: "dry_run",
      reportPath: report,
      reportRows: 9,
      summary: { goodsScanned: 9, counts: EXPECTED_COUNTS, totalAbsoluteDrift: 10 },
    });
    expect(readReport(report)).toHaveLength(9);

    const human = await cli(["--dry-run", "--report", join(workDir, "dry-human.jsonl")]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/missing_inventory\s+3\n/);
    expect(human.stdout).toMatch(/total absolute drift\s+10\n/);
    expect(human.stdout).toContain(`report: ${join(workDir, "dry-human.jsonl")} (9 goods that do not match)`);
    expect(human.stdout).toContain("dry run: nothing was changed");
  });

  it("an interrupted apply exits 1 and says to run it again; the next apply completes; then a no-op", async () => {
    const failed = await cli([
      "--apply",
      "--json",
      "--batch-size",
      "2",
      "--fail-after-batches",
      "2",
      "--report",
      join(workDir, "failed.jsonl"),
    ]);
    expect(failed.code).toBe(1);
    expect(json(failed.stdout)).toEqual({ status: "error", error: "injected failure after 2 batch(es)" });
    expect(failed.stderr).toContain("Nothing is lost: run the same command again to complete it.");

    // Batches of 2: the first run backed up goods 1–4 and created goods 4's row; this one does the rest.
    const applied = await cli(["--apply", "--json", "--batch-size", "2", "--report", join(workDir, "apply.jsonl")]);
    expect(applied.code).toBe(0);
    expect(json(applied.stdout)).toMatchObject({
      status: "applied",
      backedUp: 3,
      created: 2,
      summary: { counts: EXPECTED_COUNTS },
    });

    const again = await cli(["--apply", "--report", join(workDir, "again.jsonl")]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already applied: nothing to do (no-op).");
  });

  it("bad options and unreachable databases: non-zero exit and a clear message", async () => {
    const batch = await cli(["--batch-size", "0"]);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(/option '--batch-size <n>' argument '0' is invalid\. must be a positive integer/);

    const both = await cli(["--apply", "--dry-run"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/option '--dry-run' cannot be used with option '--apply'/);

    const report = join(workDir, "never.jsonl");
    const down = await cli(["--json", "--report", report], { GOODS_DATABASE_URL: "postgresql://nobody@127.0.0.1:1/x" });
    expect(down.code).toBe(1);
    expect(json(down.stdout)).toMatchObject({
      status: "error",
      error: expect.stringMatching(/^cannot reach the goods database \(postgresql:\/\/127\.0\.0\.1:1\/x\): /),
    });
    expect(existsSync(report)).toBe(false);
  });

  it("after `db:migrate` drops the column, says there is nothing to reconcile; the gateway serves every goods", async () => {
    const goodsDb = await openGoodsDb({ url: urls.goods });
    try {
      expect(await migrate(goodsDb.sql, "goods")).toEqual(goodsMigrationsFrom("0003_drop_goods_stocks.sql"));
    } finally {
      await goodsDb.close();
    }
    const done = await cli(["--json"]);
    expect(done.code).toBe(0);
    expect(json(done.stdout)).toEqual({ status: "no_legacy_column" });

    const services = await startServicesOn(urls);
    try {
      const response = await gql(services.url, "{ goodsList(pageSize: 100) { total items { id stocks } } }");
      expect(response.errors).toBeUndefined();
      expect(response.data?.goodsList.total).toBe(Object.keys(LEGACY_GOODS).length);
      const stocks = Object.fromEntries(
        response.data?.goodsList.items.map((item: { id: string; stocks: number | null }) => [item.id, item.stocks]),
      );
      // Inventory won every drift; missing rows came from the legacy value (0 for the oversold one);
      // no value anywhere stays null.
      expect(stocks).toEqual({ 1: 10, 2: 8, 3: 2, 4: 7, 5: 4, 6: null, 7: 0, 8: 12, 9: 0 });
    } finally {
      await services.stop();
    }
  });
});
