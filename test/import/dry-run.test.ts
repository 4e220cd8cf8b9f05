import { afterAll, beforeAll, expect, it } from "vitest";
import { createEmshopShop, describeWithMariadb, type EmshopShop } from "./emshop-fixture";
import { EXPECTED_STOCK_CLASSES, EXPECTED_TABLES, HIGHEST_GOODS_ID, LONG_ORDER_SN } from "./emshop-shop";
import { createTargets, dump, type ImportTargets, readReport, runImport } from "./targets";

describeWithMariadb("import:emshop dry run (the default)", () => {
  let shop: EmshopShop;
  let targets: ImportTargets;
  beforeAll(async () => {
    shop = await createEmshopShop("dry");
    targets = await createTargets("dry");
  });
  afterAll(async () => {
    await targets?.drop();
    await shop?.drop();
  });

  it("reports per table what it read, would insert and skipped with the reasons, and writes nothing", async () => {
    const sql = await targets.sql();
    const before = { goods: await dump(sql.goods), inventory: await dump(sql.inventory) };
    const result = await runImport(shop, targets);

    expect(result.status).toBe("dry_run");
    for (const [table, expected] of Object.entries(EXPECTED_TABLES))
      expect({ table, ...result.tables[table as keyof typeof EXPECTED_TABLES] }).toMatchObject({
        table,
        ...expected,
        update: 0,
        unchanged: 0,
        conflicts: 0,
        rejected: 0,
      });
    expect(result.stock).toMatchObject({
      goodsScanned: 20,
      counts: EXPECTED_STOCK_CLASSES,
      totalAbsoluteDrift: 5,
      rule: "lowest_id_live_row",
      multipleInventoryRows: 1,
      negativeInventoryStocks: 1,
    });
    expect(result.mergedSellItems).toBe(1);
    expect(result.backups).toEqual({ legacyStocks: 0, inventoryRows: 0 });
    expect(result.sequences.map((move) => [move.table, move.to])).toEqual([
      ["category", 13],
      ["brand", 7],
      ["category_brand", 7],
      ["banner", 6],
      ["goods", HIGHEST_GOODS_ID + 1],
    ]);

    // Nothing written: not a row, not even the import's own tables.
    expect({ goods: await dump(sql.goods), inventory: await dump(sql.inventory) }).toEqual(before);
  });

  it("writes one report line per row that needs a look, with codes and messages", async () => {
    const result = await runImport(shop, targets);
    const lines = readReport(result.reportPath);
    const skipped = (table: string) =>
      Object.fromEntries(
        lines
          .filter((line) => line.type === "skipped" && line.table === table)
          .map((line) => [line.key, line.problems.map((problem: { code: string }) => problem.code)]),
      );
    expect(skipped("category")).toEqual({
      7: ["category_level_mismatch"],
      9: ["category_parent_missing"],
      10: ["category_parent_not_imported"],
    });
    expect(skipped("goods")).toEqual({
      3: ["name_too_long"],
      4: ["price_negative"],
      5: ["images_not_json"],
      6: ["category_missing"],
      7: ["brand_missing"],
      13: ["goods_sn_duplicate"],
      14: ["price_too_precise"],
      15: ["category_missing"],
      17: ["image_invalid"],
      18: ["brief_too_short"],
      21: ["front_image_invalid"],
    });
    expect(skipped("stock_sell")).toEqual({
      "SO-1004": ["detail_not_json"],
      "SO-1005": ["sell_status_unknown"],
      "SO-1007": ["detail_invalid"],
      [LONG_ORDER_SN]: ["order_sn_too_long"],
    });
    const goods3 = lines.find((line) => line.type === "skipped" && line.table === "goods" && line.key === 3);
    expect(goods3.problems[0]).toEqual({
      code: "name_too_long",
      field: "name",
      message: "name: must be 1–50 characters, got 53",
    });

    // Several inventory rows: reported with all of them and the rule's choice.
    const stock9 = lines.find((line) => line.type === "stock" && line.goodsId === 9);
    expect(stock9).toMatchObject({
      class: "drift",
      legacyStocks: 5,
      inventoryStocks: 7,
      resolution: "keep inventory",
      imported: 7,
      rule: "lowest_id_live_row",
      chosenRowId: 9,
      rows: [
        { id: 9, stocks: 7, version: 3, deletedAt: null },
        { id: 10, stocks: 4, version: 9, deletedAt: null },
        { id: 11, stocks: 100, version: 1, deletedAt: "2024-03-01T00:00:00.000Z" },
      ],
    });
    const stockLine = (goodsId: number) => lines.find((line) => line.type === "stock" && line.goodsId === goodsId);
    expect(stockLine(10)).toMatchObject({ class: "missing_inventory", resolution: "create inventory row with 12" });
    expect(stockLine(900)).toMatchObject({ class: "orphan_inventory", inventoryStocks: 3, resolution: "report only" });
    expect(stockLine(8)).toMatchObject({ class: "orphan_inventory", inventoryStocks: 2 });
    expect(stockLine(16)).toMatchObject({ class: "inventory_only", inventoryStocks: -3, imported: 0 });
    expect(stockLine(3)).toMatchObject({ resolution: "not imported: the goods is skipped", imported: null });
    expect(stockLine(1)).toBeUndefined(); // a plain match
    expect(lines.filter((line) => line.type === "merged")).toEqual([
      { type: "merged", table: "stock_sell", key: "SO-1003" },
    ]);
    expect(lines.at(-1)).toMatchObject({ type: "summary", status: "dry_run" });
  });

  it("with --repair, reports the repairs it would make instead of skipping", async () => {
    const result = await runImport(shop, targets, { repair: true });
    expect(result.tables.goods).toMatchObject({ skipped: 3, repaired: 7, insert: 17 });
    expect(result.tables.goods.skippedByReason).toEqual({
      category_missing: 1,
      brand_missing: 1,
      front_image_invalid: 1,
    });
    expect(result.tables.category).toMatchObject({ skipped: 1, repaired: 1, insert: 10 });
    expect(result.tables.brand).toMatchObject({ skipped: 0, repaired: 2, insert: 5 });
    expect(result.tables.category_brand).toMatchObject({ skipped: 2, insert: 3 });
    expect(result.tables.banner).toMatchObject({ skipped: 1, repaired: 1, insert: 3 });
    expect(result.tables.inventory).toMatchObject({ insert: 16 });
    const repairs = Object.fromEntries(
      readReport(result.reportPath)
        .filter((line) => line.type === "repaired" && line.table === "goods")
        .map((line) => [line.key, line.repairs.map((repair: { code: string }) => repair.code)]),
    );
    expect(repairs).toEqual({
      3: ["name_too_long"],
      4: ["price_negative"],
      5: ["images_not_json"],
      13: ["goods_sn_duplicate"],
      14: ["price_too_precise"],
      17: ["image_invalid"],
      18: ["brief_too_short"],
    });
  });
});
