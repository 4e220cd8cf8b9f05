import { migrate } from "@emshop/db/migrate";
import { afterEach, describe, expect, it } from "vitest";
import { goodsMigrationsFrom, hasStocksColumn, inventoryStocks, runReconcile } from "./helpers";
import { createLegacyShop, type LegacyShop } from "./legacy-fixture";

const DROP = "0003_drop_goods_stocks.sql";
/** The goods migrations after the drop: applied in the same run once the drop passes. */
const AFTER_DROP = goodsMigrationsFrom("0004_catalog_change_notify.sql");

/** migrations/goods/0003 drops goods.stocks only once no legacy value can be lost. */
describe("the guarded drop of goods.stocks", () => {
  const shops: LegacyShop[] = [];
  const legacyShop = async (label: string) => {
    const shop = await createLegacyShop(label);
    shops.push(shop);
    return shop;
  };
  afterEach(async () => {
    await Promise.all(shops.splice(0).map((shop) => shop.close()));
  });

  it("refuses before apply, telling the operator what to run, and succeeds after it", async () => {
    const shop = await legacyShop("guard");
    await expect(migrate(shop.goods.sql, "goods")).rejects.toThrow(
      "migration 0003_drop_goods_stocks.sql failed: goods.stocks still holds 7 legacy value(s), 7 of them not backed up, " +
        "and no reconciliation has completed since the last backup: run `npm run stocks:reconcile -- --apply` first",
    );
    // The failed migration changed nothing: the column and its values are still there.
    const [{ n }] = (await shop.goods.sql.query("SELECT count(stocks)::int AS n FROM goods")) as [{ n: number }];
    expect(n).toBe(7);

    // A dry run is not enough.
    await runReconcile(shop, false);
    await expect(migrate(shop.goods.sql, "goods")).rejects.toThrow(/7 of them not backed up/);

    await runReconcile(shop, true);
    expect(await migrate(shop.goods.sql, "goods")).toEqual([DROP, ...AFTER_DROP]);
    expect(await hasStocksColumn(shop)).toBe(false);
    expect(await runReconcile(shop, false)).toEqual({ status: "no_legacy_column" });
    // The backups outlive the column.
    const [{ saved }] = (await shop.goods.sql.query("SELECT count(*)::int AS saved FROM legacy_stock_backup")) as [
      { saved: number },
    ];
    expect(saved).toBe(7);
  });

  it("refuses again when legacy values change after apply, until an apply that was not interrupted", async () => {
    const shop = await legacyShop("guard_later");
    await runReconcile(shop, true);
    // The old application is still running: it changes a value and adds a goods with stock.
    await shop.goods.sql.exec(`
      UPDATE goods SET stocks = 6 WHERE id = 2;
      INSERT INTO goods (id, goods_sn, name, brief, market_price, shop_price, front_image, category_id, brand_id, stocks)
      VALUES (10, 'SN10', 'Goods 10', 'added later', 1, 1, 'https://img.example/g.jpg', 1, 1, 5);`);
    await expect(migrate(shop.goods.sql, "goods")).rejects.toThrow(/8 legacy value\(s\), 2 of them not backed up:/);

    // An apply interrupted after backing up the last batch, before creating its inventory rows:
    // every value is backed up now, but goods 10 still has no inventory row.
    await expect(
      runReconcile(shop, true, {
        afterStep: (step, batch) => {
          if (step === "backed_up" && batch === 4) throw new Error("crash");
        },
      }),
    ).rejects.toThrow("crash");
    expect((await inventoryStocks(shop))[10]).toBeUndefined();
    await expect(migrate(shop.goods.sql, "goods")).rejects.toThrow(
      /0 of them not backed up, and no reconciliation has completed since the last backup/,
    );

    expect(await runReconcile(shop, true)).toMatchObject({ status: "applied", backedUp: 0, created: 1 });
    expect((await inventoryStocks(shop))[10]).toBe(5);
    const [backup] = await shop.goods.sql.query(
      "SELECT legacy_stocks, class FROM legacy_stock_backup WHERE goods_id = 2",
    );
    expect(backup).toEqual({ legacy_stocks: 6, class: "drift" });
    expect(await migrate(shop.goods.sql, "goods")).toEqual([DROP, ...AFTER_DROP]);
  });

  it("passes trivially without legacy values: a new install, or a legacy shop whose goods.stocks are all null", async () => {
    const shop = await legacyShop("guard_null");
    await shop.goods.sql.exec("UPDATE goods SET stocks = NULL");
    expect(await migrate(shop.goods.sql, "goods")).toEqual([DROP, ...AFTER_DROP]);
    expect(await hasStocksColumn(shop)).toBe(false);
  });
});
