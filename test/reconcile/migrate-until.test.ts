import { openGoodsDb } from "@emshop/db/goods";
import { MIGRATIONS_TABLE, migrate } from "@emshop/db/migrate";
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/test-database";
import { goodsMigrationsFrom } from "./helpers";

/** migrate(…, { until }) builds a database as an older release left it (the legacy fixtures need it). */
describe("migrate with `until`", () => {
  it("applies the files up to and including `until`, and the rest on the next run", async () => {
    const database = await createTestDatabase("until");
    const goods = await openGoodsDb({ url: database.url });
    try {
      await expect(migrate(goods.sql, "goods", { until: "0002_nope.sql" })).rejects.toThrow(
        /no migration named 0002_nope\.sql/,
      );
      // An unknown name applies nothing, not even the bookkeeping table.
      expect(await goods.sql.query("SELECT to_regclass($1) AS t", [MIGRATIONS_TABLE])).toEqual([{ t: null }]);

      expect(await migrate(goods.sql, "goods", { until: "0001_catalog.sql" })).toEqual(["0001_catalog.sql"]);
      expect(await migrate(goods.sql, "goods", { until: "0001_catalog.sql" })).toEqual([]);
      expect(await migrate(goods.sql, "goods", { until: "0002_legacy_stock_backup.sql" })).toEqual([
        "0002_legacy_stock_backup.sql",
      ]);
      expect(await migrate(goods.sql, "goods")).toEqual(goodsMigrationsFrom("0003_drop_goods_stocks.sql"));
    } finally {
      await goods.close();
      await database.drop();
    }
  });
});
