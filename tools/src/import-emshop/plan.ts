import { mapBanner } from "./map-banner";
import { mapBrand } from "./map-brand";
import { CategoryTree } from "./map-category";
import { mapCategoryBrand } from "./map-category-brand";
import { mapGoods } from "./map-goods";
import type { Mapped } from "./problems";
import { mapSellDetail } from "./sell-records";
import type { SequenceTable } from "./sequences";
import { instant, keysetBatches, type SourceDb } from "./source";
import {
  isSoftDeleted,
  type SourceBanner,
  type SourceBrand,
  type SourceCategory,
  type SourceCategoryBrand,
  type SourceGoods,
  type SourceInventory,
  type SourceSellDetail,
  sourceColumns,
} from "./source-rows";
import type { SourceShape } from "./source-schema";
import { decideOrphan, decideStock, type GoodsStock } from "./stock";
import type { BannerRow, BrandRow, CategoryBrandRow, CategoryRow, GoodsRow, StockSellRow } from "./target-rows";

/*
 * The source side of a run: every emshop table read batch by batch and mapped
 * to target rows, the same for a dry run, an apply and --verify (they differ
 * only in what they do with each batch). Deterministic: the same source gives
 * the same batches, whatever the target holds, which is what makes a resumed
 * run end where an uninterrupted one does.
 */

export interface PlanContext {
  source: { goods: SourceDb; inventory: SourceDb };
  shape: SourceShape;
  repair: boolean;
  batchSize: number;
}

/** Mapped rows of one batch, with what was read to get them. */
export interface PlannedBatch<Row> {
  read: number;
  softDeleted: number;
  results: { key: number | string; result: Mapped<Row> }[];
}

export interface GoodsBatch extends PlannedBatch<GoodsRow> {
  /** Every live goods of the batch, imported or not, with its inventory rows and the stock decided. */
  stocks: GoodsStock[];
  inventoryRead: number;
  inventorySoftDeleted: number;
}

export interface OrphanBatch {
  /** Goods ids that inventory has and goods has not (or only soft-deleted), with a live row. */
  stocks: GoodsStock[];
  /** Every row of those goods ids, live or not, to back up. */
  rowsOf: GoodsStock[];
  inventoryRead: number;
  inventorySoftDeleted: number;
}

export interface SellBatch extends PlannedBatch<StockSellRow> {
  /** Records whose items named a goods more than once (added up). */
  merged: string[];
}

/** What the later tables need to know about the earlier ones, and the highest ids seen. */
export class SourcePlan {
  readonly categories: CategoryTree;
  private readonly liveBrands = new Set<number>();
  private readonly importedBrands = new Set<number>();
  readonly brands = {
    imported: (id: number | null) => id !== null && this.importedBrands.has(id),
    exists: (id: number | null) => id !== null && this.liveBrands.has(id),
  };
  /** The highest id emshop handed out per table (soft-deleted rows too), for the sequences. */
  readonly maxima: Record<SequenceTable, number> = { category: 0, brand: 0, category_brand: 0, banner: 0, goods: 0 };
  private readonly columns;

  constructor(readonly context: PlanContext) {
    this.categories = new CategoryTree(context.repair);
    this.columns = sourceColumns(context.shape);
  }

  private stream<Row extends Record<string, unknown>>(database: "goods" | "inventory", from: string, key = "id") {
    const columns = this.columns[from as keyof typeof this.columns];
    return keysetBatches<Row>(this.context.source[database], { columns, from, key }, this.context.batchSize);
  }

  private seen(table: SequenceTable, rows: { id: number }[]) {
    for (const row of rows) if (row.id > this.maxima[table]) this.maxima[table] = row.id;
  }

  /** Categories: all read first (the tree is checked as a whole), then handed out parents first. */
  async *categoryBatches(): AsyncGenerator<PlannedBatch<CategoryRow>> {
    let read = 0;
    let softDeleted = 0;
    for await (const rows of this.stream<SourceCategory & Record<string, unknown>>("goods", "category")) {
      read += rows.length;
      this.seen("category", rows);
      for (const row of rows) {
        if (isSoftDeleted(row)) softDeleted++;
        else this.categories.add(row);
      }
    }
    const all = this.categories.all().map(({ id, result }) => ({ key: id, result }));
    for (let start = 0; start === 0 || start < all.length; start += this.context.batchSize) {
      yield {
        read: start === 0 ? read : 0,
        softDeleted: start === 0 ? softDeleted : 0,
        results: all.slice(start, start + this.context.batchSize),
      };
    }
  }

  async *brandBatches(): AsyncGenerator<PlannedBatch<BrandRow>> {
    // Brand names are unique here, not in emshop: the live brand with the lowest id keeps a duplicated name.
    const keepers = await this.duplicateKeepers("brands", "name");
    for await (const rows of this.stream<SourceBrand & Record<string, unknown>>("goods", "brands")) {
      this.seen("brand", rows);
      const live = rows.filter((row) => !isSoftDeleted(row));
      const results = live.map((row) => {
        this.liveBrands.add(row.id);
        const result = mapBrand(row, (name) => keepers.get(name), this.context.repair);
        if (result.ok) this.importedBrands.add(row.id);
        return { key: row.id, result };
      });
      yield { read: rows.length, softDeleted: rows.length - live.length, results };
    }
  }

  async *categoryBrandBatches(): AsyncGenerator<PlannedBatch<CategoryBrandRow>> {
    const references = { category: this.categories, brand: this.brands };
    for await (const rows of this.stream<SourceCategoryBrand & Record<string, unknown>>(
      "goods",
      "goodscategorybrand",
    )) {
      this.seen("category_brand", rows);
      const live = rows.filter((row) => !isSoftDeleted(row));
      const results = live.map((row) => ({ key: row.id, result: mapCategoryBrand(row, references) }));
      yield { read: rows.length, softDeleted: rows.length - live.length, results };
    }
  }

  async *bannerBatches(): AsyncGenerator<PlannedBatch<BannerRow>> {
    for await (const rows of this.stream<SourceBanner & Record<string, unknown>>("goods", "banner")) {
      this.seen("banner", rows);
      const live = rows.filter((row) => !isSoftDeleted(row));
      const results = live.map((row) => ({ key: row.id, result: mapBanner(row, this.context.repair) }));
      yield { read: rows.length, softDeleted: rows.length - live.length, results };
    }
  }

  /**
   * The live row with the lowest id per value that several live rows share
   * (trimmed, compared exactly, as the target's unique index will). Only the
   * duplicates are held, never the whole column: the server groups by a CRC32
   * of the value (an integer: a full scan ten times faster than grouping the
   * strings; emshop has no index there), and only the rows of colliding CRCs
   * are read and grouped exactly here.
   */
  private async duplicateKeepers(table: "brands" | "goods", column: "name" | "goods_sn") {
    const source = this.context.source.goods;
    const crcs = (
      await source.query<{ crc: number }>(
        `SELECT CRC32(TRIM(${column})) AS crc FROM ${table} WHERE deleted_at IS NULL
         GROUP BY CRC32(TRIM(${column})) HAVING COUNT(*) > 1`,
      )
    ).map((row) => row.crc);
    const keepers = new Map<string, number>();
    if (crcs.length === 0) return keepers;
    const rows = await source.query<{ id: number; value: string | null }>(
      `SELECT id, ${column} AS value FROM ${table} WHERE deleted_at IS NULL AND CRC32(TRIM(${column})) IN (?) ORDER BY id`,
      [crcs],
    );
    const seen = new Map<string, number>();
    for (const row of rows) {
      const value = (row.value ?? "").trim();
      const first = seen.get(value);
      if (first === undefined) seen.set(value, row.id);
      else keepers.set(value, first);
    }
    return keepers;
  }

  /** The inventory rows of these goods ids (one indexed lookup: inventory.goods has an index). */
  private async inventoryOf(goodsIds: number[]) {
    const byGoods = new Map<number, SourceInventory[]>();
    if (goodsIds.length === 0) return { byGoods, read: 0, softDeleted: 0 };
    const timezone = this.context.source.inventory.timezone;
    // Times become ISO instants here, so the backups and the report hold instants, not local text.
    const rows = (
      await this.context.source.inventory.query<SourceInventory>(
        `SELECT ${this.columns.inventory} FROM inventory WHERE goods IN (?) ORDER BY goods, id`,
        [goodsIds],
      )
    ).map((row) => ({
      ...row,
      deleted_at: instant(row.deleted_at, timezone),
      add_time: instant(row.add_time, timezone),
      update_time: instant(row.update_time, timezone),
    }));
    for (const row of rows) byGoods.set(row.goods, [...(byGoods.get(row.goods) ?? []), row]);
    return { byGoods, read: rows.length, softDeleted: rows.filter(isSoftDeleted).length };
  }

  async *goodsBatches(): AsyncGenerator<GoodsBatch> {
    // goods_sn is unique here, not in emshop: the live goods with the lowest id keeps a duplicated one.
    const keepers = await this.duplicateKeepers("goods", "goods_sn");
    const context = {
      repair: this.context.repair,
      priceType: this.context.shape.priceType,
      timezone: this.context.source.goods.timezone,
      category: this.categories,
      brand: this.brands,
      goodsSnKeeper: (goodsSn: string) => keepers.get(goodsSn),
    };
    for await (const rows of this.stream<SourceGoods & Record<string, unknown>>("goods", "goods")) {
      this.seen("goods", rows);
      const live = rows.filter((row) => !isSoftDeleted(row));
      const results = live.map((row) => ({ key: row.id, result: mapGoods(row, context) }));
      const inventory = await this.inventoryOf(live.map((row) => row.id));
      const stocks = live.map((row, index) =>
        decideStock(
          row.id,
          this.context.shape.legacyStocks ? (row.stocks ?? null) : null,
          inventory.byGoods.get(row.id) ?? [],
          results[index]?.result.ok ?? false,
        ),
      );
      yield {
        read: rows.length,
        softDeleted: rows.length - live.length,
        results,
        stocks,
        inventoryRead: inventory.read,
        inventorySoftDeleted: inventory.softDeleted,
      };
    }
  }

  /**
   * Inventory rows whose goods id is not a live goods: a second scan, over the
   * distinct goods ids of inventory in order (two databases cannot be joined).
   */
  async *orphanBatches(): AsyncGenerator<OrphanBatch> {
    let after = 0;
    for (;;) {
      const ids = (
        await this.context.source.inventory.query<{ goods: number }>(
          "SELECT DISTINCT goods FROM inventory WHERE goods > ? ORDER BY goods LIMIT ?",
          [after, this.context.batchSize],
        )
      ).map((row) => row.goods);
      if (ids.length === 0) return;
      after = ids[ids.length - 1] ?? after;
      if (after > this.maxima.goods) this.maxima.goods = after;
      const live = new Set(
        (
          await this.context.source.goods.query<{ id: number }>(
            "SELECT id FROM goods WHERE id IN (?) AND deleted_at IS NULL",
            [ids],
          )
        ).map((row) => row.id),
      );
      const inventory = await this.inventoryOf(ids.filter((id) => !live.has(id)));
      const rowsOf = [...inventory.byGoods].map(([goodsId, rows]) => decideOrphan(goodsId, rows));
      yield {
        stocks: rowsOf.filter((stock) => stock.chosen !== null),
        rowsOf,
        inventoryRead: inventory.read,
        inventorySoftDeleted: inventory.softDeleted,
      };
      if (ids.length < this.context.batchSize) return;
    }
  }

  async *sellBatches(): AsyncGenerator<SellBatch> {
    const timezone = this.context.source.inventory.timezone;
    for await (const rows of this.stream<SourceSellDetail & Record<string, unknown>>(
      "inventory",
      "stockselldetail",
      "order_sn",
    )) {
      const live = rows.filter((row) => !isSoftDeleted(row));
      const merged: string[] = [];
      const results = live.map((row) => {
        const result = mapSellDetail(row, timezone);
        if (result.ok) {
          if (result.note?.mergedItems) merged.push(result.row.orderSn);
          // Goods ids an order mentions must never be handed out to a new goods.
          for (const item of result.row.items) if (item.goodsId > this.maxima.goods) this.maxima.goods = item.goodsId;
        }
        return { key: String(row.order_sn), result };
      });
      yield { read: rows.length, softDeleted: rows.length - live.length, results, merged };
    }
  }
}
