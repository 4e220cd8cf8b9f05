import type { InventoryDb } from "@emshop/db/inventory";
import { markApplied } from "./applied";
import { insufficientStock } from "./errors";
import type { GroupCommitMetrics } from "./group-commit-metrics";
import { type HoldRequest, holdStock, reclaimExpired, replayHold } from "./holds";
import {
  type BatchDecision,
  type BatchResult,
  type BatchSell,
  RECORDED_MEANWHILE,
  runSellBatch,
  tryOptimisticSellBatch,
} from "./sell-batch";
import { replaySell, sellStock } from "./sell-stock";
import type { StockSellRow } from "./stock-sell-row";
import type { OrderItem } from "./validate";

/** The group commit of sells (SELL_GROUP_COMMIT, SELL_GROUP_COMMIT_MAX_BATCH). */
export interface GroupCommitOptions {
  /** Off: every sell is its own statement, as without this file (for comparison). */
  enabled: boolean;
  /** Most sells one batch takes; the rest wait for the next. */
  maxBatch: number;
}

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { enabled: true, maxBatch: 200 };

/** How an orderSn recorded already answers this request: as a repeated sell, or as a repeated hold. */
const replayOf = (sell: BatchSell) => (sell.expiresAt === undefined ? replaySell : replayHold);

/** Runs of a batch before its sells fall back to one statement each (another path kept recording its orderSns). */
const BATCH_ATTEMPTS = 3;

interface Waiting extends BatchSell {
  items: OrderItem[];
  now: Date;
  queuedAt: number;
  /** Expired holds were already reclaimed for it once: a second shortage is final. */
  reclaimed: boolean;
  resolve(row: StockSellRow): void;
  reject(error: unknown): void;
}

/** The sells of one goods: who waits, and whether a batch is in flight. */
interface Lane {
  waiting: Waiting[];
  busy: boolean;
}

/**
 * Group commit for a flash sale: concurrent single-goods sells (and checkout
 * holds) of the same goods are coalesced. While one batch of a goods is in
 * flight its new sells queue; when it has committed, the next batch takes all
 * of them (up to `maxBatch`). A sell of an idle goods runs at once, by itself,
 * through sellStock's own statement: no timer, nothing waits without contention.
 *
 * Why here and not elsewhere: PostgreSQL serializes the sells of one goods on
 * its row lock until each commit is flushed, so a hot goods is capped at one
 * WAL flush per sell. A batch takes the lock and flushes once for all its
 * orders. Turning synchronous_commit off would lose acknowledged sells; Redis
 * pre-deduction would be a second source of truth; splitting stock into
 * sub-rows gives false sold-outs. Durability is unchanged: an order is answered
 * only after its batch committed. Across replicas the row lock still
 * serializes batches, so correctness never depends on this process's queue.
 *
 * Multi-goods orders keep sellStock's and holdStock's paths (they lock several rows in order).
 */
export class SellCoalescer {
  private readonly lanes = new Map<number, Lane>();

  constructor(
    private readonly db: InventoryDb,
    private readonly options: GroupCommitOptions = DEFAULT_GROUP_COMMIT,
    private readonly metrics?: GroupCommitMetrics,
  ) {}

  /** sellStock's contract: the record of the sale, or its coded error. */
  sell(orderSn: string, items: OrderItem[], actor: string | null, now: Date = new Date()): Promise<StockSellRow> {
    const [item] = items;
    if (!this.options.enabled || items.length !== 1 || !item) return sellStock(this.db, orderSn, items, actor, now);
    return this.enqueue(item, { orderSn, num: item.num, actor, items, now });
  }

  /** holdStock's contract: a checkout hold of a hot goods is coalesced with the goods' sells and holds. */
  hold(hold: HoldRequest, actor: string | null, now: Date = new Date()): Promise<StockSellRow> {
    const [item] = hold.items;
    if (!this.options.enabled || hold.items.length !== 1 || !item) return holdStock(this.db, hold, actor, now);
    const { orderSn, items, expiresAt } = hold;
    return this.enqueue(item, { orderSn, num: item.num, actor, items, now, expiresAt });
  }

  private enqueue(item: OrderItem, request: Omit<Waiting, "queuedAt" | "reclaimed" | "resolve" | "reject">) {
    return new Promise<StockSellRow>((resolve, reject) => {
      const lane = this.laneOf(item.goodsId);
      lane.waiting.push({ ...request, queuedAt: performance.now(), reclaimed: false, resolve, reject });
      if (!lane.busy) void this.drain(item.goodsId, lane);
    });
  }

  private laneOf(goodsId: number): Lane {
    let lane = this.lanes.get(goodsId);
    if (!lane) {
      lane = { waiting: [], busy: false };
      this.lanes.set(goodsId, lane);
    }
    return lane;
  }

  /** Runs batches of this goods until nobody waits; then the lane goes (an idle goods holds no memory). */
  private async drain(goodsId: number, lane: Lane) {
    lane.busy = true;
    try {
      while (lane.waiting.length > 0) {
        const batch = lane.waiting.splice(0, this.options.maxBatch);
        const started = performance.now();
        for (const sell of batch) this.metrics?.queueWait((started - sell.queuedAt) / 1000);
        this.metrics?.batch(batch.length);
        // The callers are answered in there, whatever happens: drain itself never throws.
        if (batch.length === 1) await this.runAlone(batch[0] as Waiting);
        else await this.runBatch(goodsId, lane, batch);
      }
    } finally {
      lane.busy = false;
      if (lane.waiting.length === 0) this.lanes.delete(goodsId);
    }
  }

  /** One sell or hold by itself: exactly its own statement (and its reclaiming of expired holds). */
  private async runAlone(sell: Waiting) {
    const { orderSn, items, actor, now, expiresAt } = sell;
    const done =
      expiresAt === undefined
        ? sellStock(this.db, orderSn, items, actor, now)
        : holdStock(this.db, { orderSn, items, expiresAt }, actor, now);
    await done.then(sell.resolve, sell.reject);
  }

  private async runBatch(goodsId: number, lane: Lane, batch: Waiting[]) {
    let result: BatchResult | undefined;
    try {
      // Optimistic first (two round trips, no transaction); when the row keeps moving under it
      // (another replica's batches, holds, admin writes), under the row lock.
      for (let attempt = 1; attempt <= BATCH_ATTEMPTS && !result; attempt++)
        result = (await tryOptimisticSellBatch(this.db.sql, goodsId, batch)) ?? undefined;
      for (let attempt = 1; attempt <= BATCH_ATTEMPTS && !result; attempt++)
        result = await this.db.sql
          .transaction((tx) => runSellBatch(tx, goodsId, batch))
          .catch((error: unknown) => {
            if (error !== RECORDED_MEANWHILE) throw error;
            return undefined;
          });
    } catch (error) {
      // The transaction rolled back: nothing of the batch was applied; each caller hears why.
      for (const sell of batch) sell.reject(error);
      return;
    }
    if (!result) {
      for (const sell of batch) await this.runAlone(sell);
      return;
    }
    const retry = await this.shortOnlyForExpiredHolds(goodsId, batch, result);
    // Those go first in the next batch: they arrived before everyone still waiting.
    lane.waiting.unshift(...retry);
    batch.forEach((sell, index) => {
      if (retry.includes(sell)) return;
      try {
        sell.resolve(this.answer(goodsId, batch, result, index));
      } catch (error) {
        sell.reject(error);
      }
    });
  }

  /**
   * Expired holds still count in `held` until they are ended: if the batch
   * refused someone while holds are counted, they are ended (their units come
   * back) and the refused sells are tried once more, as sellStock does.
   */
  private async shortOnlyForExpiredHolds(goodsId: number, batch: Waiting[], result: BatchResult): Promise<Waiting[]> {
    const isShort = (index: number) => result.decisions[index]?.kind === "short" && !batch[index]?.reclaimed;
    // A repeat of a refused sell goes along with it, to get its answer again.
    const again = batch.filter((_, index) => {
      const decision = result.decisions[index];
      return isShort(index) || (decision?.kind === "repeat" && isShort(decision.of));
    });
    if (again.length === 0 || !result.row || result.row.held === 0) return [];
    const ended = await reclaimExpired(this.db, [goodsId], (again[0] as Waiting).now).catch(() => 0);
    if (ended === 0) return [];
    for (const sell of again) sell.reclaimed = true;
    return again;
  }

  /** One sell's answer from the committed batch (throws its coded error). */
  private answer(goodsId: number, batch: Waiting[], result: BatchResult, index: number): StockSellRow {
    const sell = batch[index] as Waiting;
    const decision = result.decisions[index] as BatchDecision;
    switch (decision.kind) {
      case "take":
        return markApplied(result.claimed.get(sell.orderSn) as StockSellRow);
      case "recorded":
        return replayOf(sell)(decision.row, sell.items);
      case "repeat": {
        const first = result.decisions[decision.of] as BatchDecision;
        if (first.kind === "take")
          // A copy: the units were counted with the first (wasApplied is per object).
          return replayOf(sell)({ ...(result.claimed.get(sell.orderSn) as StockSellRow) }, sell.items);
        return this.answer(goodsId, batch, result, decision.of);
      }
      case "short":
        throw insufficientStock([{ goodsId, requested: sell.num, available: decision.available }]);
    }
  }
}
