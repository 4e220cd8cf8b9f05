import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { repoRoot } from "@emshop/db/paths";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ledgerViolations } from "../inventory/support/ledger-check";
import { gql } from "../support/graphql-client";
import { startServicesOn } from "../support/services-on";
import { as } from "../support/tokens";
import { createEmshopShop, describeWithMariadb, type EmshopShop } from "./emshop-fixture";
import { EXPECTED_STOCK_CLASSES, EXPECTED_STOCKS, EXPECTED_TABLES, IMPORTED_GOODS } from "./emshop-shop";
import { createTargets, type ImportTargets, nextReport, targetStocks } from "./targets";

const execFileAsync = promisify(execFile);

/**
 * The real CLI, as an operator runs it (`npm run -s import:emshop -- …`), with
 * the source in EMSHOP_*_MYSQL_URL and the target configured as for the
 * services; then the services start on the result and the gateway serves the
 * catalog, the stock, and a reback of an order sold before the move.
 */
describeWithMariadb("npm run import:emshop (the CLI), then the services on the result", () => {
  let shop: EmshopShop;
  let targets: ImportTargets;
  beforeAll(async () => {
    shop = await createEmshopShop("cli");
    targets = await createTargets("cli");
    await targets.close(); // the CLI (another process) opens the databases
  });
  afterAll(async () => {
    await targets?.drop();
    await shop?.drop();
  });

  /** Resolves with the exit code and both outputs, whatever the exit code. */
  const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
    execFileAsync("npm", ["run", "-s", "import:emshop", "--", ...args], {
      cwd: repoRoot,
      env: {
        ...process.env,
        EMSHOP_GOODS_MYSQL_URL: shop.urls.goods,
        EMSHOP_INVENTORY_MYSQL_URL: shop.urls.inventory,
        GOODS_DATABASE_URL: targets.urls.goods,
        INVENTORY_DATABASE_URL: targets.urls.inventory,
        ...env,
      },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  const json = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1) ?? "");

  it("dry run --json: exit 0, the counts per table and the stock classes; the human output has the tables", async () => {
    const report = nextReport();
    const { code, stdout } = await cli(["--json", "--report", report]);
    expect(code).toBe(0);
    const result = json(stdout);
    expect(result).toMatchObject({ status: "dry_run", reportPath: report, stock: { counts: EXPECTED_STOCK_CLASSES } });
    expect(result.tables.goods).toMatchObject(EXPECTED_TABLES.goods);
    expect(existsSync(report)).toBe(true);

    const human = await cli(["--dry-run", "--report", nextReport()]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/goods\s+21\s+1\s+11\s+0\s+9\s+0\s+0/);
    expect(human.stdout).toMatch(/missing_inventory\s+2\n/);
    expect(human.stdout).toContain("goods with several live inventory rows: 1");
    expect(human.stdout).toContain("dry run: nothing was changed");
  });

  it("an interrupted apply exits 1 and says to run it again; the next apply completes; then a no-op", async () => {
    const failed = await cli([
      "--apply",
      "--json",
      "--batch-size",
      "2",
      "--fail-after-batches",
      "9",
      "--report",
      nextReport(),
    ]);
    expect(failed.code).toBe(1);
    expect(json(failed.stdout)).toEqual({
      status: "error",
      code: "INJECTED_FAILURE",
      error: "injected failure after 9 batch(es)",
    });
    expect(failed.stderr).toContain("Nothing is lost: every batch written is complete. Run the same command again");

    const applied = await cli(["--apply", "--json", "--batch-size", "2", "--report", nextReport()]);
    expect(applied.code).toBe(0);
    expect(json(applied.stdout)).toMatchObject({ status: "applied", stock: { counts: EXPECTED_STOCK_CLASSES } });

    const again = await cli(["--apply", "--report", nextReport()]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already applied: nothing changed (no-op).");
  });

  it("--verify exits 0 on the imported shop and 1 once a target row differs", async () => {
    const verified = await cli(["--verify", "--json", "--report", nextReport()]);
    expect(verified.code).toBe(0);
    expect(json(verified.stdout)).toMatchObject({ status: "verified", differences: 0 });

    const { goods } = await targets.sql();
    await goods.query("UPDATE goods SET name = 'Tampered' WHERE id = 1");
    await targets.close();
    const tampered = await cli(["--verify", "--report", nextReport()]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/goods\s+9\s+9\s+0\s+1\s+0\s+DIFFER/);
    expect(tampered.stdout).toContain("differences: 1 (see the report)");

    // Re-applying puts emshop's value back (the goods row is the import's to overwrite until the move).
    expect((await cli(["--apply", "--json", "--report", nextReport()])).code).toBe(0);
    expect((await cli(["--verify", "--json", "--report", nextReport()])).code).toBe(0);
  });

  it("bad options, missing or unreachable sources: a coded message and exit 2 or 1, nothing written", async () => {
    const batch = await cli(["--batch-size", "0"]);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(/option '--batch-size <n>' argument '0' is invalid\. must be a positive integer/);
    expect((await cli(["--apply", "--verify"])).code).toBe(2);
    expect((await cli(["--verify", "--repair"])).code).toBe(2);

    const unset = await cli(["--json"], { EMSHOP_GOODS_MYSQL_URL: "" });
    expect(unset.code).toBe(2);
    expect(json(unset.stdout)).toMatchObject({ status: "error", code: "SOURCE_URL_INVALID" });

    const report = nextReport();
    const down = await cli(["--json", "--report", report], {
      EMSHOP_INVENTORY_MYSQL_URL: "mysql://root@127.0.0.1:1/emshop",
    });
    expect(down.code).toBe(1);
    expect(json(down.stdout)).toMatchObject({
      status: "error",
      code: "SOURCE_UNREACHABLE",
      error: expect.stringMatching(
        /^cannot reach the emshop inventory database \(mysql:\/\/127\.0\.0\.1:1\/emshop\): /,
      ),
    });
    expect(existsSync(report)).toBe(false);
  });

  it("the services on the result: the gateway serves the catalog and the stocks; a reback returns what the order took, once", async () => {
    const services = await startServicesOn(targets.urls);
    try {
      const list = await gql(services.url, "{ goodsList(pageSize: 100) { total items { id name stocks } } }");
      expect(list.errors).toBeUndefined();
      expect(list.data?.goodsList.total).toBe(IMPORTED_GOODS.length);
      const stocks = Object.fromEntries(
        list.data?.goodsList.items
          .filter((item: { stocks: number | null }) => item.stocks !== null)
          .map((item: { id: string; stocks: number }) => [item.id, item.stocks]),
      );
      expect(stocks).toEqual(
        Object.fromEntries(Object.entries(EXPECTED_STOCKS).map(([id, value]) => [String(id), value])),
      );
      const tree = await gql(
        services.url,
        "{ categories { id name level children { id level children { id level } } } }",
      );
      expect(tree.errors).toBeUndefined();
      expect(tree.data?.categories).toEqual([
        {
          id: "1",
          name: "Fresh Food",
          level: 1,
          children: [{ id: "2", level: 2, children: [{ id: "3", level: 3 }] }],
        },
        { id: "4", name: "Drinks", level: 1, children: [{ id: "5", level: 2, children: [{ id: "8", level: 3 }] }] },
        { id: "12", name: "Pantry", level: 1, children: [{ id: "11", level: 2, children: [] }] },
      ]);
      const banners = await gql(services.url, "{ banners { id url } brands(pageSize: 10) { total } }");
      expect(banners.data?.banners.map((banner: { id: string }) => banner.id)).toEqual(["1", "2"]);
      expect(banners.data?.brands.total).toBe(3);

      const orderService = await as("order-service");
      const reback = 'mutation { rebackStock(orderSn: "SO-1001") { orderSn status items { goodsId num } } }';
      const first = await gql(services.url, reback, undefined, orderService);
      expect(first.errors).toBeUndefined();
      expect(first.data?.rebackStock).toEqual({
        orderSn: "SO-1001",
        status: "RETURNED",
        items: [
          { goodsId: "1", num: 2 },
          { goodsId: "2", num: 1 },
        ],
      });
      const second = await gql(services.url, reback, undefined, orderService);
      expect(second.data?.rebackStock.status).toBe("RETURNED");
      // An order emshop had already returned gives nothing back.
      const returned = await gql(
        services.url,
        'mutation { rebackStock(orderSn: "SO-1002") { status } }',
        undefined,
        orderService,
      );
      expect(returned.data?.rebackStock.status).toBe("RETURNED");
    } finally {
      await services.stop();
    }
    const { inventory } = await targets.sql();
    const after = await targetStocks(inventory);
    expect(after[1]).toBe(EXPECTED_STOCKS[1] + 2);
    expect(after[2]).toBe(EXPECTED_STOCKS[2] + 1);
    expect(
      await inventory.query("SELECT kind, count(*)::int AS n FROM stock_movement GROUP BY kind ORDER BY kind"),
    ).toEqual([
      { kind: "IMPORT", n: Object.keys(EXPECTED_STOCKS).length },
      { kind: "REBACK", n: 2 },
    ]);
    expect(await ledgerViolations(inventory)).toEqual([]);
    await targets.close();
  });
});
