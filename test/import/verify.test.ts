import { afterAll, beforeAll, expect, it } from "vitest";
import { createEmshopShop, describeWithMariadb, type EmshopShop } from "./emshop-fixture";
import { createTargets, type ImportTargets, readReport, runImport, runVerify } from "./targets";

describeWithMariadb("import:emshop --verify", () => {
  let shop: EmshopShop;
  let targets: ImportTargets;
  beforeAll(async () => {
    shop = await createEmshopShop("verify");
    targets = await createTargets("verify");
  });
  afterAll(async () => {
    await targets?.drop();
    await shop?.drop();
  });

  it("refuses before any completed apply (NOT_IMPORTED)", async () => {
    await expect(runVerify(shop, targets)).rejects.toMatchObject({ code: "NOT_IMPORTED" });
  });

  it("passes after an apply: counts, checksums of the mapped columns, stock per goods, sequences, ledger", async () => {
    await runImport(shop, targets, { apply: true });
    const result = await runVerify(shop, targets);
    expect(result.status).toBe("verified");
    expect(result.differences).toBe(0);
    expect(
      Object.fromEntries(Object.entries(result.tables).map(([name, verdict]) => [name, verdict.source.count])),
    ).toEqual({
      category: 8,
      brand: 3,
      category_brand: 2,
      banner: 2,
      goods: 9,
      inventory: 8,
      stock_sell: 4,
    });
    for (const verdict of Object.values(result.tables)) {
      expect(verdict.ok).toBe(true);
      expect(verdict.target).toEqual(verdict.source);
    }
  });

  it("finds a tampered row, a changed stock, an extra row and a missing one, each in the report", async () => {
    const { goods, inventory } = await targets.sql();
    await goods.query("UPDATE goods SET shop_price = 1.23 WHERE id = 2");
    await inventory.query("UPDATE inventory SET stocks = stocks + 5 WHERE goods_id = 1"); // outside the ledger, too
    await goods.query(
      "INSERT INTO banner (id, image, url) VALUES (77, 'https://img.example/x.jpg', 'https://x.example/')",
    );
    await inventory.query("DELETE FROM stock_sell WHERE order_sn = 'SO-1002'");
    const result = await runVerify(shop, targets);
    expect(result.status).toBe("differences");
    expect(result.tables.goods).toMatchObject({ different: 1, missing: 0, unexpected: 0, ok: false });
    expect(result.tables.inventory).toMatchObject({ different: 1, ok: false });
    expect(result.tables.banner).toMatchObject({ unexpected: 1, ok: false });
    expect(result.tables.stock_sell).toMatchObject({ missing: 1, ok: false });
    expect(result.tables.category?.ok).toBe(true);
    expect(result.ledgerMismatches).toBe(1);
    // Banner 77 was written with an explicit id: the sequence would hand it out again.
    expect(result.sequences.map((move) => move.table)).toEqual(["banner"]);
    expect(result.differences).toBe(6);
    const differences = readReport(result.reportPath).filter((line) => line.type === "difference");
    expect(differences.find((line) => line.table === "goods")).toMatchObject({
      key: 2,
      kind: "different",
      source: { shopPrice: "18.50" },
      target: { shopPrice: "1.23" },
    });
    expect(differences.find((line) => line.table === "stock_sell")).toMatchObject({ key: "SO-1002", kind: "missing" });
  });
});
