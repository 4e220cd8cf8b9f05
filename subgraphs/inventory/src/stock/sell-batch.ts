import type { SqlClient } from "@emshop/db/sql-client";
import { lockInventoryRows } from "./lock-rows";
import { STOCK_SELL_COLUMNS, type StockSellRow } from "./stock-sell-row";

/*
 * One batch of the group commit (./group-commit.ts): single-goods sells of one
 * goods, decided together against the locked row and written by one statement,
 * so the row's lock is taken and its commit flushed once for the whole batch.
 * The ledger reads exactly as if the orders had been applied one by one, in
 * arrival order: one SELL movement per accepted order, each with its running
 * stocksAfter and versionAfter.
 */

/** One sell, or checkout hold, waiting in a batch (its goods is the batch's). */
export interface BatchSell {
  orderSn: string;
  num: number;
  actor: string | null;
  /** A hold's expiry; absent for a sell. */
  expiresAt?: Date;
}

const isHold = (sell: BatchSell) => sell.expiresAt !== undefined;

/** The inventory row as locked for the batch. */
export interface LockedRow {
  stocks: number;
  held: number;
  version: number;
}

/** What the batch does with one sell, in arrival order. */
export type BatchDecision =
  /** Taken (sold, or held): the row after this order, as its ledger row records it. */
  | { kind: "take"; stocksAfter: number; heldAfter: number; versionAfter: number }
  /** The orderSn was recorded before the batch: answered from the record (a retry, a conflict, a hold). */
  | { kind: "recorded"; row: StockSellRow }
  /** A repeat of an earlier sell of this batch (same orderSn): it gets that sell's answer. */
  | { kind: "repeat"; of: number }
  /** Not enough available for it at its turn (null: the goods has no inventory row). */
  | { kind: "short"; available: number | null };

/** The same request again: as much, and a sell again or a hold again. */
const sameRequest = (a: BatchSell, b: BatchSell) => a.num === b.num && isHold(a) === isHold(b);

/**
 * Decides every sell of a batch from the locked row alone (never from a
 * per-process cache: another replica's reback or a hold's release would make
 * that wrong), first come first served: a running sum of what was taken, each
 * order taken when what is left covers it. A later, smaller order may still fit
 * after a bigger one was refused; a later order never takes what an earlier
 * order of the same size was refused.
 *
 * A repeated orderSn gets the answer of its first occurrence when it asks for
 * the same; when it asks for something else it is decided as a retry after
 * commit would be: a conflict with a taken order (the caller answers
 * ORDER_CONFLICT from the record), a fresh order after a refused one.
 */
export function decideBatch(
  row: LockedRow | undefined,
  recorded: ReadonlyMap<string, StockSellRow>,
  sells: readonly BatchSell[],
): BatchDecision[] {
  const decisions: BatchDecision[] = [];
  const firstOf = new Map<string, number>();
  let available = row ? row.stocks - row.held : 0;
  let stocks = row?.stocks ?? 0;
  let held = row?.held ?? 0;
  let version = row?.version ?? 0;
  const decide = (sell: BatchSell, index: number): BatchDecision => {
    const record = recorded.get(sell.orderSn);
    if (record) return { kind: "recorded", row: record };
    const first = firstOf.get(sell.orderSn);
    const earlier = first === undefined ? undefined : decisions[first];
    const same = first !== undefined && sameRequest(sells[first] as BatchSell, sell);
    if (first !== undefined && (earlier?.kind === "take" || same)) return { kind: "repeat", of: first };
    firstOf.set(sell.orderSn, index);
    if (!row) return { kind: "short", available: null };
    if (sell.num > available) return { kind: "short", available };
    available -= sell.num;
    if (isHold(sell)) held += sell.num;
    else stocks -= sell.num;
    version += 1;
    return { kind: "take", stocksAfter: stocks, heldAfter: held, versionAfter: version };
  };
  sells.forEach((sell, index) => {
    decisions.push(decide(sell, index));
  });
  return decisions;
}

/**
 * The accepted orders' writes in one statement: the row decremented once and
 * its version advanced by the number of orders, one stock_sell record and one
 * ledger row per order, in arrival order (ids are taken in that order). An
 * orderSn recorded meanwhile by another path (a multi-goods sell or a hold of
 * it, committed after the batch read the records) is not claimed: the caller
 * sees fewer claimed rows than orders and runs the batch again.
 */
function writeBatchSql(ifUnchanged: boolean) {
  // Optimistic: only if the row's version is still the one read, and a plain INSERT (a unique
  // violation undoes the whole statement); under the row lock: skip what was recorded meanwhile.
  const guard = ifUnchanged ? "AND version = $12" : "";
  const written = ifUnchanged ? "WHERE EXISTS (SELECT 1 FROM updated)" : "";
  const onConflict = ifUnchanged ? "" : "ON CONFLICT (order_sn) DO NOTHING";
  return `
  WITH taken AS (
    SELECT * FROM unnest($2::text[], $3::int[], $4::int[], $5::int[], $6::int[], $7::text[], $8::timestamptz[])
      WITH ORDINALITY AS t(order_sn, num, stocks_after, held_after, version_after, actor, expires_at, position)
  ), updated AS (
    UPDATE inventory SET stocks = stocks - $9, held = held + $10, version = version + $11, updated_at = CURRENT_TIMESTAMP
    WHERE goods_id = $1 ${guard} RETURNING goods_id
  ), claimed AS (
    INSERT INTO stock_sell (order_sn, status, items, expires_at)
    SELECT order_sn, CASE WHEN expires_at IS NULL THEN 'SOLD' ELSE 'HELD' END,
           jsonb_build_array(jsonb_build_object('goodsId', $1::int, 'num', num)), expires_at
    FROM taken ${written} ORDER BY position
    ${onConflict}
    RETURNING ${STOCK_SELL_COLUMNS}
  ), holds AS (
    INSERT INTO stock_hold (order_sn, goods_id, num, expires_at)
    SELECT order_sn, $1, num, expires_at FROM taken
    WHERE expires_at IS NOT NULL AND order_sn IN (SELECT "orderSn" FROM claimed)
  ), ledger AS (
    INSERT INTO stock_movement (goods_id, delta, stocks_after, version_after, kind, order_sn, actor, held_delta, held_after, low_stock_threshold)
    SELECT $1, CASE WHEN expires_at IS NULL THEN -num ELSE 0 END, stocks_after, version_after,
           CASE WHEN expires_at IS NULL THEN 'SELL' ELSE 'HOLD' END, order_sn, actor,
           CASE WHEN expires_at IS NULL THEN 0 ELSE num END, held_after,
           COALESCE((SELECT low_stock_threshold FROM inventory WHERE goods_id = $1),
                    (SELECT default_low_stock_threshold FROM inventory_settings))
    FROM taken ${written} ORDER BY position
  )
  SELECT * FROM claimed`;
}

const WRITE_BATCH_SQL = writeBatchSql(false);
const WRITE_BATCH_IF_UNCHANGED_SQL = writeBatchSql(true);

/** The batch's outcome: each sell's decision, and the records of the taken ones. */
export interface BatchResult {
  row: LockedRow | undefined;
  decisions: BatchDecision[];
  claimed: Map<string, StockSellRow>;
}

/** Signals that an orderSn was recorded by another path meanwhile: the whole batch runs again. */
export const RECORDED_MEANWHILE = Symbol("an orderSn of the batch was recorded meanwhile");

/** The sells a batch takes, with their decisions, and the write statement's parameters for them. */
function takenOf(sells: readonly BatchSell[], decisions: BatchDecision[]) {
  return sells.flatMap((sell, index) => {
    const decision = decisions[index] as BatchDecision;
    return decision.kind === "take" ? [{ sell, decision }] : [];
  });
}

/** The write's parameters; `ifUnchanged` adds the version it must still find ($12 of the optimistic write). */
function writeParams(goodsId: number, row: LockedRow, taken: ReturnType<typeof takenOf>, ifUnchanged: boolean) {
  const total = (holds: boolean) => taken.reduce((sum, { sell }) => (isHold(sell) === holds ? sum + sell.num : sum), 0);
  return [
    goodsId,
    taken.map(({ sell }) => sell.orderSn),
    taken.map(({ sell }) => sell.num),
    taken.map(({ decision }) => decision.stocksAfter),
    taken.map(({ decision }) => decision.heldAfter),
    taken.map(({ decision }) => decision.versionAfter),
    taken.map(({ sell }) => sell.actor),
    taken.map(({ sell }) => sell.expiresAt ?? null),
    total(false),
    total(true),
    taken.length,
    ...(ifUnchanged ? [row.version] : []),
  ];
}

/**
 * The optimistic batch: two round trips and no open transaction. One
 * statement reads the row and the records; the decision is made here; one
 * statement writes it, if the row's version is still the one read (every
 * change of stocks or held advances it) — otherwise nothing is written and
 * the caller tries again. An orderSn recorded meanwhile makes the plain INSERT
 * fail as a whole (unique violation): nothing is written either. The row lock
 * is held only while that one statement runs: under a flash sale the
 * transaction's five round trips (BEGIN, lock, records, write, COMMIT), each
 * queued behind the event loop's work on arriving requests, were what bounded
 * a batch, not PostgreSQL.
 */
const READ_BATCH_SQL = `
  SELECT i.stocks, i.held, i.version,
         (SELECT coalesce(json_agg(json_build_object(
            'orderSn', s.order_sn, 'status', s.status, 'items', s.items,
            'createdAt', s.created_at, 'updatedAt', s.updated_at, 'expiresAt', s.expires_at)), '[]'::json)
          FROM stock_sell s WHERE s.order_sn = ANY($2::text[])) AS records
  FROM (SELECT 1) AS one LEFT JOIN inventory i ON i.goods_id = $1`;

interface RecordJson extends Omit<StockSellRow, "createdAt" | "updatedAt" | "expiresAt"> {
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "23505";

/** The batch without a transaction (see READ_BATCH_SQL); null when the row or the records moved meanwhile. */
export async function tryOptimisticSellBatch(
  sql: SqlClient,
  goodsId: number,
  sells: readonly BatchSell[],
): Promise<BatchResult | null> {
  const [state] = await sql.query<{
    stocks: number | null;
    held: number | null;
    version: number | null;
    records: RecordJson[];
  }>(READ_BATCH_SQL, [goodsId, [...new Set(sells.map((sell) => sell.orderSn))]]);
  const row =
    state && state.stocks !== null
      ? { stocks: state.stocks, held: state.held ?? 0, version: state.version ?? 0 }
      : undefined;
  const recorded = new Map(
    (state?.records ?? []).map((record): [string, StockSellRow] => [
      record.orderSn,
      {
        ...record,
        createdAt: new Date(record.createdAt),
        updatedAt: new Date(record.updatedAt),
        expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt),
      },
    ]),
  );
  const decisions = decideBatch(row, recorded, sells);
  const taken = takenOf(sells, decisions);
  const claimed = new Map<string, StockSellRow>();
  if (!row || taken.length === 0) return { row, decisions, claimed };
  try {
    const rows = await sql.query<StockSellRow>(WRITE_BATCH_IF_UNCHANGED_SQL, writeParams(goodsId, row, taken, true));
    if (rows.length !== taken.length) return null; // the version moved on: nothing was written
    for (const claim of rows) claimed.set(claim.orderSn, claim);
    return { row, decisions, claimed };
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

/** Locks the row, reads the records, decides and writes: call inside one transaction. */
export async function runSellBatch(tx: SqlClient, goodsId: number, sells: readonly BatchSell[]): Promise<BatchResult> {
  const [row] = await lockInventoryRows<LockedRow>(tx, [goodsId], "stocks, held, version");
  const records = await tx.query<StockSellRow>(
    `SELECT ${STOCK_SELL_COLUMNS} FROM stock_sell WHERE order_sn = ANY($1::text[])`,
    [[...new Set(sells.map((sell) => sell.orderSn))]],
  );
  const recorded = new Map(records.map((record) => [record.orderSn, record]));
  const decisions = decideBatch(row, recorded, sells);
  const taken = takenOf(sells, decisions);
  const claimed = new Map<string, StockSellRow>();
  if (row && taken.length > 0) {
    const rows = await tx.query<StockSellRow>(WRITE_BATCH_SQL, writeParams(goodsId, row, taken, false));
    if (rows.length !== taken.length) throw RECORDED_MEANWHILE;
    for (const claim of rows) claimed.set(claim.orderSn, claim);
  }
  return { row, decisions, claimed };
}
