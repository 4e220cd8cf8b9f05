/**
 * The checkout-holds part of `npm run bench:stock` (README "Checkout holds"):
 * hold → confirm pairs per second on one hot goods and on goods spread over
 * 1,000, then the sweeper's cost: how long the running subgraph takes to end
 * 100,000 expired holds, and the p99 of hot-goods sells meanwhile (the sweep
 * must not stall sales) against the p99 of the same sells before.
 */
import type pg from "pg";
import { asForSpawned } from "../support/tokens";

const SPREAD = 1_000;
const EXPIRED_HOLDS = Number(process.env.BENCH_EXPIRED_HOLDS ?? 100_000);

type Post = (query: string, variables: Record<string, unknown>) => Promise<boolean>;

async function poster(url: string): Promise<Post> {
  const { authorization = "" } = await asForSpawned("order-service", "bench");
  return async (query, variables) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization },
      body: JSON.stringify({ query, variables }),
    });
    return !((await response.json()) as { errors?: unknown }).errors;
  };
}

/** `clients` loops running `step` until `done()`; each step's latency when it succeeded. */
async function drive(clients: number, step: () => Promise<boolean>, done: () => boolean) {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!done()) {
        const at = performance.now();
        if (await step()) latencies.push(performance.now() - at);
        else failures++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { perSecond: latencies.length / elapsed, count: latencies.length, failures, elapsed, p99: percentile(99) };
}

const HOLD = `mutation($orderSn: String!, $items: [StockItemInput!]!) { holdStock(orderSn: $orderSn, items: $items) { status } }`;
const CONFIRM = `mutation($orderSn: String!) { confirmHold(orderSn: $orderSn) { status } }`;
const SELL = `mutation($orderSn: String!, $items: [StockItemInput!]!) { sellStock(orderSn: $orderSn, items: $items) { status } }`;

/** Creates goods firstGoods … firstGoods+SPREAD-1 with `stock` units each (and their IMPORT ledger rows). */
async function createSpreadGoods(db: pg.Client, firstGoods: number, stock: number) {
  await db.query(
    `WITH created AS (
       INSERT INTO inventory (goods_id, stocks) SELECT g, $1 FROM generate_series($2::int, $3::int) AS g
       RETURNING goods_id, stocks, version
     ) INSERT INTO stock_movement (goods_id, delta, stocks_after, version_after, kind, reason)
       SELECT goods_id, stocks, stocks, version, 'IMPORT', 'bench' FROM created`,
    [stock, firstGoods, firstGoods + SPREAD - 1],
  );
}

/**
 * EXPIRED_HOLDS holds that expired a minute ago, one unit each, 10% on the hot
 * goods and the rest over the spread goods, written as holdStock would have
 * (stock_sell, stock_hold, held, a HOLD ledger row per goods), so the ledger
 * invariant holds before and after the sweep.
 */
async function seedExpiredHolds(db: pg.Client, hotGoods: number, firstGoods: number) {
  const goodsOf = `CASE WHEN n % 10 = 0 THEN ${hotGoods} ELSE ${firstGoods} + n % ${SPREAD} END`;
  await db.query("BEGIN");
  await db.query(
    `INSERT INTO stock_sell (order_sn, status, items, expires_at)
     SELECT 'expired-' || n, 'HELD', jsonb_build_array(jsonb_build_object('goodsId', ${goodsOf}, 'num', 1)),
            now() - interval '1 minute'
     FROM generate_series(1, $1::int) AS n`,
    [EXPIRED_HOLDS],
  );
  await db.query(
    `INSERT INTO stock_hold (order_sn, goods_id, num, expires_at)
     SELECT 'expired-' || n, ${goodsOf}, 1, now() - interval '1 minute' FROM generate_series(1, $1::int) AS n`,
    [EXPIRED_HOLDS],
  );
  await db.query(
    `WITH per_goods AS (SELECT goods_id, count(*)::int AS n FROM stock_hold GROUP BY goods_id),
     updated AS (
       UPDATE inventory i SET held = i.held + p.n, version = i.version + 1 FROM per_goods p WHERE i.goods_id = p.goods_id
       RETURNING i.goods_id, i.stocks, i.held, i.version, p.n AS held_delta
     ) INSERT INTO stock_movement (goods_id, delta, stocks_after, version_after, kind, reason, held_delta, held_after)
       SELECT goods_id, 0, stocks, version, 'HOLD', 'bench: expired holds', held_delta, held FROM updated`,
  );
  await db.query("COMMIT");
}

export async function benchHolds(options: {
  url: string;
  db: pg.Client;
  hotGoods: number;
  firstSpreadGoods: number;
  seconds: number;
  clients: number;
}) {
  const { url, db, hotGoods, firstSpreadGoods, seconds, clients } = options;
  const post = await poster(url);
  await createSpreadGoods(db, firstSpreadGoods, 2_000_000_000);
  let sequence = 0;
  const pair = (goodsId: () => number) => async () => {
    const orderSn = `pair-${process.pid}-${sequence++}`;
    const items = [{ goodsId: String(goodsId()), num: 1 }];
    return (await post(HOLD, { orderSn, items })) && (await post(CONFIRM, { orderSn }));
  };
  const forSeconds = () => {
    const stopAt = performance.now() + seconds * 1000;
    return () => performance.now() >= stopAt;
  };
  const hot = await drive(
    clients,
    pair(() => hotGoods),
    forSeconds(),
  );
  const spread = await drive(
    clients,
    pair(() => firstSpreadGoods + Math.floor(Math.random() * SPREAD)),
    forSeconds(),
  );
  const sell = async () =>
    post(SELL, { orderSn: `sweep-sell-${process.pid}-${sequence++}`, items: [{ goodsId: String(hotGoods), num: 1 }] });
  const sellsBefore = await drive(clients, sell, forSeconds());

  await seedExpiredHolds(db, hotGoods, firstSpreadGoods);
  let remaining = EXPIRED_HOLDS;
  const sweepStarted = performance.now();
  const watcher = (async () => {
    while (remaining > 0) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const { rows } = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM stock_sell WHERE status = 'HELD' AND expires_at <= now()",
      );
      remaining = rows[0]?.n ?? 0;
    }
  })();
  const sellsDuring = await drive(clients, sell, () => remaining === 0);
  await watcher;
  const sweepSeconds = (performance.now() - sweepStarted) / 1000;
  return { hot, spread, sellsBefore, sellsDuring, sweepSeconds, expiredHolds: EXPIRED_HOLDS };
}
