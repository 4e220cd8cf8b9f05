import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerViolations } from "../inventory/support/ledger-check";
import { createEmshopShop, describeWithMariadb, type EmshopShop, SOURCE_INVENTORY_ROWS } from "./emshop-fixture";
import {
  EXPECTED_STOCKS,
  EXPECTED_STOCKS_REPAIRED,
  HIGHEST_GOODS_ID,
  IMPORTED_GOODS,
  IMPORTED_GOODS_REPAIRED,
} from "./emshop-shop";
import { createTargets, dump, type ImportTargets, runImport, targetStocks } from "./targets";

describeWithMariadb("import:emshop --apply", () => {
  let shop: EmshopShop;
  let targets: ImportTargets;
  beforeAll(async () => {
    shop = await createEmshopShop("apply");
    targets = await createTargets("apply");
  });
  afterAll(async () => {
    await targets?.drop();
    await shop?.drop();
  });

  it("imports with emshop's ids, inventory's stock and one IMPORT ledger row per stock level", async () => {
    const result = await runImport(shop, targets, { apply: true });
    expect(result.status).toBe("applied");
    expect(result.tables.goods).toMatchObject({ insert: 9, update: 0, rejected: 0 });
    const { goods, inventory } = await targets.sql();

    const ids = (await goods.query<{ id: number }>("SELECT id FROM goods ORDER BY id")).map((row) => row.id);
    expect(ids).toEqual(IMPORTED_GOODS);
    expect(await goods.query("SELECT id, name, level, parent_id, is_tab FROM category ORDER BY id")).toEqual([
      { id: 1, name: "Fresh Food", level: 1, parent_id: null, is_tab: true },
      { id: 2, name: "Fruit", level: 2, parent_id: 1, is_tab: false },
      { id: 3, name: "Apples", level: 3, parent_id: 2, is_tab: false },
      { id: 4, name: "Drinks", level: 1, parent_id: null, is_tab: true },
      { id: 5, name: "Tea", level: 2, parent_id: 4, is_tab: false },
      { id: 8, name: "Green Tea", level: 3, parent_id: 5, is_tab: false },
      { id: 11, name: "Snacks", level: 2, parent_id: 12, is_tab: false },
      { id: 12, name: "Pantry", level: 1, parent_id: null, is_tab: false },
    ]);
    expect(await goods.query("SELECT id, name, logo FROM brand ORDER BY id")).toEqual([
      { id: 1, name: "Acme", logo: "https://img.example/acme.png" },
      { id: 2, name: "Zest", logo: "" },
      { id: 6, name: "Lumen", logo: "" },
    ]);
    const [apple] = await goods.query<Record<string, unknown>>(
      `SELECT goods_sn, name, market_price::text AS market, shop_price::text AS shop, images, desc_images,
              on_sale, created_at, updated_at FROM goods WHERE id = 1`,
    );
    expect(apple).toEqual({
      goods_sn: "SN-0001",
      name: "Fuji Apple 1kg",
      market: "12.34", // FLOAT 12.340000152… is 12.34
      shop: "9.90",
      images: ["https://img.example/g1.jpg"],
      desc_images: [],
      on_sale: true,
      created_at: new Date("2023-05-01T10:00:00.000Z"),
      updated_at: new Date("2024-02-03T04:05:06.789Z"),
    });
    // MariaDB prints this FLOAT as 12345.7; its float32 is 12345.669921875, i.e. 12345.67.
    expect(await goods.query("SELECT market_price::text AS market FROM goods WHERE id = 20")).toEqual([
      { market: "12345.67" },
    ]);

    expect(await targetStocks(inventory)).toEqual(EXPECTED_STOCKS);
    const movements = await inventory.query<{
      goods_id: number;
      kind: string;
      delta: number;
      reason: string;
      actor: string;
    }>("SELECT goods_id, kind, delta, reason, actor FROM stock_movement ORDER BY goods_id");
    expect(movements).toHaveLength(Object.keys(EXPECTED_STOCKS).length);
    expect(movements.every((row) => row.kind === "IMPORT" && row.actor === "import:emshop")).toBe(true);
    expect(movements.find((row) => row.goods_id === 10)?.reason).toMatch(/legacy goods\.stocks/);
    expect(await ledgerViolations(inventory)).toEqual([]);
  });

  it("backs up every legacy goods.stocks value and every emshop inventory row", async () => {
    const { goods, inventory } = await targets.sql();
    const legacy = await goods.query(
      "SELECT goods_id, legacy_stocks, inventory_stocks, class FROM legacy_stock_backup ORDER BY goods_id",
    );
    // Every live goods with a legacy value, imported or not (goods 8 is soft-deleted).
    expect(legacy.map((row) => (row as { goods_id: number }).goods_id)).toEqual([1, 2, 3, 9, 10, 13, 19, 20, 21]);
    expect(legacy.find((row) => (row as { goods_id: number }).goods_id === 9)).toEqual({
      goods_id: 9,
      legacy_stocks: 5,
      inventory_stocks: 7,
      class: "drift",
    });
    const rows = await inventory.query<{ source_id: number; goods_id: number; stocks: number; decision: string }>(
      "SELECT source_id, goods_id, stocks, decision FROM emshop_inventory_backup ORDER BY source_id",
    );
    expect(rows).toHaveLength(SOURCE_INVENTORY_ROWS);
    expect(rows.filter((row) => row.goods_id === 9)).toEqual([
      { source_id: 9, goods_id: 9, stocks: 7, decision: "chosen" },
      { source_id: 10, goods_id: 9, stocks: 4, decision: "not_chosen" },
      { source_id: 11, goods_id: 9, stocks: 100, decision: "soft_deleted" },
    ]);
    expect(rows.filter((row) => row.goods_id >= 900).map((row) => row.decision)).toEqual([
      "orphan",
      "orphan",
      "soft_deleted",
    ]);
    expect(rows.find((row) => row.goods_id === 3)?.decision).toBe("goods_skipped");
  });

  it("imports the order stock records: 1 → SOLD, 2 → RETURNED, items merged per goods", async () => {
    const { inventory } = await targets.sql();
    expect(await inventory.query("SELECT order_sn, status, items FROM stock_sell ORDER BY order_sn")).toEqual([
      {
        order_sn: "SO-1001",
        status: "SOLD",
        items: [
          { goodsId: 1, num: 2 },
          { goodsId: 2, num: 1 },
        ],
      },
      { order_sn: "SO-1002", status: "RETURNED", items: [{ goodsId: 1, num: 1 }] },
      {
        order_sn: "SO-1003",
        status: "SOLD",
        items: [
          { goodsId: 2, num: 3 },
          { goodsId: 9, num: 1 },
        ],
      },
      { order_sn: "SO-1009", status: "SOLD", items: [{ goodsId: 950, num: 1 }] },
    ]);
  });

  it("moves the id sequences past every id emshop handed out: a new goods gets a new id", async () => {
    const { goods } = await targets.sql();
    const [created] = await goods.query<{ id: number }>(
      `INSERT INTO goods (goods_sn, name, brief, market_price, shop_price, front_image, category_id, brand_id)
       VALUES ('NEW-1', 'New goods', 'created after the move', 1, 1, 'https://img.example/new.jpg', 1, 1) RETURNING id`,
    );
    expect(created?.id).toBe(HIGHEST_GOODS_ID + 1);
    const [category] = await goods.query<{ id: number }>(
      "INSERT INTO category (name, level) VALUES ('New', 1) RETURNING id",
    );
    expect(category?.id).toBe(13);
    await goods.query("DELETE FROM goods WHERE id = $1", [created?.id]);
    await goods.query("DELETE FROM category WHERE id = $1", [category?.id]);
  });

  it("a second apply changes nothing and says so", async () => {
    const sql = await targets.sql();
    const before = { goods: await dump(sql.goods), inventory: await dump(sql.inventory) };
    const again = await runImport(shop, targets, { apply: true });
    expect(again.status).toBe("already_applied");
    expect(again.tables.goods).toMatchObject({ insert: 0, update: 0, unchanged: 9 });
    expect(again.tables.inventory).toMatchObject({ insert: 0, update: 0, unchanged: 8 });
    expect(again.tables.stock_sell).toMatchObject({ insert: 0, update: 0, unchanged: 4 });
    expect(again.backups).toEqual({ legacyStocks: 0, inventoryRows: 0 });
    expect(again.sequences).toEqual([]);
    expect({ goods: await dump(sql.goods), inventory: await dump(sql.inventory) }).toEqual(before);
  });

  it("follows emshop between two runs: a changed stock moves with an IMPORT movement, a return moves SOLD → RETURNED", async () => {
    await shop.exec(
      "goods",
      "UPDATE goods SET name = 'Fuji Apple 2kg', update_time = '2024-07-01 00:00:00.000' WHERE id = 1",
    );
    await shop.exec(
      "inventory",
      "UPDATE inventory SET stocks = stocks + 1 WHERE goods = 2", // emshop's Reback: every row of the goods
      "UPDATE stockselldetail SET status = '2' WHERE order_sn = 'SO-1003'",
    );
    const result = await runImport(shop, targets, { apply: true });
    expect(result.status).toBe("applied");
    expect(result.tables.goods).toMatchObject({ insert: 0, update: 1, unchanged: 8 });
    expect(result.tables.inventory).toMatchObject({ update: 1, conflicts: 0 });
    expect(result.tables.stock_sell).toMatchObject({ update: 1 });
    const { goods, inventory } = await targets.sql();
    expect(await goods.query("SELECT name FROM goods WHERE id = 1")).toEqual([{ name: "Fuji Apple 2kg" }]);
    expect((await targetStocks(inventory))[2]).toBe(9);
    expect(await inventory.query("SELECT status FROM stock_sell WHERE order_sn = 'SO-1003'")).toEqual([
      { status: "RETURNED" },
    ]);
    expect(await ledgerViolations(inventory)).toEqual([]);

    // Once the target lives (a sale there), a re-run keeps the target's stock and reports a conflict.
    await inventory.query(
      `WITH updated AS (UPDATE inventory SET stocks = stocks - 1, version = version + 1 WHERE goods_id = 2
         RETURNING goods_id, stocks, version)
       INSERT INTO stock_movement (goods_id, delta, stocks_after, version_after, kind, order_sn)
       SELECT goods_id, -1, stocks, version, 'SELL', 'NEW-ORDER' FROM updated`,
    );
    await shop.exec("inventory", "UPDATE inventory SET stocks = 20 WHERE goods = 2");
    const live = await runImport(shop, targets, { apply: true });
    expect(live.tables.inventory).toMatchObject({ update: 0, conflicts: 1 });
    expect((await targetStocks(inventory))[2]).toBe(8);
  });
});

describe("import:emshop --apply --repair", () => {
  describeWithMariadb("imports every row a documented repair can fix", () => {
    let shop: EmshopShop;
    let targets: ImportTargets;
    beforeAll(async () => {
      shop = await createEmshopShop("repair");
      targets = await createTargets("repair");
    });
    afterAll(async () => {
      await targets?.drop();
      await shop?.drop();
    });

    it("repairs names, prices, images, goods_sn, levels and logos as documented", async () => {
      const result = await runImport(shop, targets, { apply: true, repair: true });
      expect(result.status).toBe("applied");
      const { goods, inventory } = await targets.sql();
      const ids = (await goods.query<{ id: number }>("SELECT id FROM goods ORDER BY id")).map((row) => row.id);
      expect(ids).toEqual(IMPORTED_GOODS_REPAIRED);
      const byId = Object.fromEntries(
        (
          await goods.query<{ id: number }>(
            `SELECT id, goods_sn, name, brief, market_price::text AS market, shop_price::text AS shop, on_sale, images
             FROM goods WHERE id IN (3, 4, 5, 13, 14, 17, 18)`,
          )
        ).map((row) => [row.id, row]),
      );
      expect(byId[3]).toMatchObject({ name: "Fuji Apple, hand-picked, extra crisp, family pack" });
      expect(byId[4]).toMatchObject({ shop: "0.00", on_sale: false }); // off sale until someone sets a price
      expect(byId[5]).toMatchObject({ images: [] });
      expect(byId[13]).toMatchObject({ goods_sn: "SN-0001-13" });
      expect(byId[14]).toMatchObject({ market: "10.00" });
      expect(byId[17]).toMatchObject({ images: ["https://img.example/17a.jpg"] });
      expect(byId[18]).toMatchObject({ brief: "Oats" });
      expect(await goods.query("SELECT id, level, parent_id FROM category WHERE id IN (7, 10) ORDER BY id")).toEqual([
        { id: 7, level: 2, parent_id: 4 },
        { id: 10, level: 3, parent_id: 7 },
      ]);
      expect(await goods.query("SELECT id, name, logo FROM brand WHERE id IN (4, 5) ORDER BY id")).toEqual([
        { id: 4, name: "Acme (4)", logo: "" },
        { id: 5, name: "Nordic", logo: "" },
      ]);
      expect(await targetStocks(inventory)).toEqual(EXPECTED_STOCKS_REPAIRED);
      expect(await ledgerViolations(inventory)).toEqual([]);
      expect((await runImport(shop, targets, { apply: true, repair: true })).status).toBe("already_applied");
    });
  });
});
