/**
 * Hot-item sell benchmark (not a test): `npm run bench:stock`.
 *
 * 1. Starts the inventory subgraph (its own process, as deployed) on a throwaway
 *    PostgreSQL database and drives sellStock of 1 unit of ONE goods from 64
 *    concurrent HTTP clients for BENCH_SECONDS.
 * 2. Runs pgbench with 64 clients against the same server, executing the same
 *    SQL (conditional decrement, ledger row, order record: the statement
 *    sellStock sends) on another hot goods; then, for reference, the naive
 *    BEGIN/INSERT/UPDATE/INSERT/COMMIT transaction doing the same work.
 * Prints both throughputs, their ratio, and the subgraph's p50/p99 latency.
 * 3. Checkout holds (./stock-holds.ts): hold→confirm pairs per second on the hot
 *    goods and on 1,000 goods, then the time the subgraph's sweeper takes to end
 *    100,000 expired holds (BENCH_EXPIRED_HOLDS) and the p99 of sells meanwhile.
 *
 * Env: BENCH_DATABASE_URL or TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
 * BENCH_SECONDS (default 10), BENCH_CLIENTS (default 64), DB_POOL_SIZE (the subgraph's pool, default 10).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pgPoolSqlClient } from "@emshop/db/sql-client";
import { ledgerViolations } from "@emshop/inventory/stock/invariants";
import { SELL_SQL } from "@emshop/inventory/stock/sell-stock";
import pg from "pg";
import { type ServiceProcess, spawnService } from "../support/service-process";
import { asForSpawned } from "../support/tokens";
import { benchAdminUrl, createBenchDatabase } from "./bench-database";
import { benchHolds } from "./stock-holds";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const clients = Number(process.env.BENCH_CLIENTS ?? 64);
const SUBGRAPH_GOODS = 1;
const PGBENCH_GOODS = 2;
const START_STOCK = 2_000_000_000; // never runs out: the benchmark measures successful sells

function findPgbench(): string {
  for (const candidate of ["/usr/lib/postgresql/15/bin/pgbench", "/usr/lib/postgresql/16/bin/pgbench"])
    if (existsSync(candidate)) return candidate;
  const onPath = spawnSync("sh", ["-c", "command -v pgbench"], { encoding: "utf8" }).stdout.trim();
  if (!onPath) throw new Error("pgbench not found (install postgresql-client or put it on PATH)");
  return onPath;
}

/** Starts the inventory subgraph as its own process; resolves once it is ready. */
async function startSubgraph(databaseUrl: string): Promise<ServiceProcess> {
  const service = await spawnService("subgraphs/inventory/src/index.ts", {
    INVENTORY_DATABASE_URL: databaseUrl,
    INVENTORY_PORT: "0",
    // The sweep phase starts on the next tick rather than up to 5 s later.
    HOLD_SWEEP_INTERVAL_MS: "250",
  });
  // Readiness is polled (it also proves the database is reachable), never slept on.
  for (let attempt = 0; ; attempt++) {
    const ready = await fetch(service.url.replace(/\/graphql$/, "/health/ready")).catch(() => null);
    if (ready?.ok) break;
    if (attempt > 100) throw new Error("inventory subgraph never became ready");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return service;
}

const SELL = `mutation($orderSn: String!, $items: [StockItemInput!]!) { sellStock(orderSn: $orderSn, items: $items) { status } }`;

async function driveSubgraph(url: string) {
  const latencies: number[] = [];
  let failures = 0;
  let sequence = 0;
  const { authorization = "" } = await asForSpawned("order-service", "bench");
  const sell = async () => {
    const body = JSON.stringify({
      query: SELL,
      variables: {
        orderSn: `bench-${process.pid}-${sequence++}`,
        items: [{ goodsId: String(SUBGRAPH_GOODS), num: 1 }],
      },
    });
    const started = performance.now();
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization },
      body,
    });
    const result = (await response.json()) as { errors?: unknown };
    return { ms: performance.now() - started, ok: !result.errors };
  };
  // Warm-up: JIT, connection pool, query plans.
  const warmUntil = performance.now() + 2_000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < warmUntil) await sell();
    }),
  );
  const started = performance.now();
  const stopAt = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < stopAt) {
        const { ms, ok } = await sell();
        if (ok) latencies.push(ms);
        else failures++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    tps: latencies.length / elapsed,
    count: latencies.length,
    failures,
    p50: percentile(50),
    p99: percentile(99),
  };
}

const ORDER_SN = `('pgbench-' || :client_id || '-' || :n)`;

/**
 * pgbench scripts for one-unit sells of the hot goods. "same" is exactly the
 * statement sellStock sends for a one-item order (SELL_SQL with the parameters
 * written in); "naive" is the textbook transaction with a round trip per step,
 * printed for reference: it holds the row lock across two client round trips.
 */
function pgbenchScript(variant: "same" | "naive"): string {
  const header = "\\set n random(1, 2000000000)\n";
  if (variant === "same") {
    const values: Record<string, string> = {
      "1": `ARRAY[${PGBENCH_GOODS}]`,
      "2": "ARRAY[1]",
      "3": ORDER_SN,
      "4": `'[{"goodsId": ${PGBENCH_GOODS}, "num": 1}]'`,
      "5": "1",
      "6": "NULL",
    };
    return `${header}${SELL_SQL.replace(/\$(\d)/g, (_, index: string) => values[index] ?? "NULL").trim()};\n`;
  }
  return `${header}BEGIN;
INSERT INTO stock_sell (order_sn, status, items)
  VALUES (${ORDER_SN}, 'SOLD', '[{"goodsId": ${PGBENCH_GOODS}, "num": 1}]');
WITH updated AS (
  UPDATE inventory SET stocks = stocks - 1, version = version + 1, updated_at = CURRENT_TIMESTAMP
  WHERE goods_id = ${PGBENCH_GOODS} AND stocks >= 1
  RETURNING goods_id, stocks, version
)
INSERT INTO stock_movement (goods_id, delta, stocks_after, version_after, kind, order_sn)
  SELECT goods_id, -1, stocks, version, 'SELL', ${ORDER_SN} FROM updated;
COMMIT;
`;
}

function runPgbench(databaseUrl: string, variant: "same" | "naive") {
  const dir = mkdtempSync(join(tmpdir(), "stock-bench-"));
  const script = join(dir, "sell.sql");
  writeFileSync(script, pgbenchScript(variant));
  const args = [
    "-n",
    "-c",
    String(clients),
    "-j",
    "4",
    "-T",
    String(seconds),
    "-M",
    "prepared",
    "-f",
    script,
    databaseUrl,
  ];
  const run = spawnSync(findPgbench(), args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`pgbench failed: ${run.stderr}`);
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(run.stdout)?.[1]);
  const latency = Number(/latency average = ([\d.]+) ms/.exec(run.stdout)?.[1]);
  const failed = Number(/number of failed transactions: (\d+)/.exec(run.stdout)?.[1] ?? 0);
  return { tps, latency, failed };
}

async function main() {
  const database = await createBenchDatabase("stock");
  const databaseUrl = database.url;
  let subgraph: ServiceProcess | null = null;
  try {
    subgraph = await startSubgraph(databaseUrl); // applies the migrations
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(
      `WITH created AS (
         INSERT INTO inventory (goods_id, stocks) SELECT g, $1 FROM unnest($2::int[]) AS g RETURNING goods_id, stocks, version
       ) INSERT INTO stock_movement (goods_id, delta, stocks_after, version_after, kind, reason)
         SELECT goods_id, stocks, stocks, version, 'IMPORT', 'bench' FROM created`,
      [START_STOCK, [SUBGRAPH_GOODS, PGBENCH_GOODS]],
    );
    console.log(
      `hot-item sell: ${clients} clients, ${seconds} s each, PostgreSQL ${new URL(benchAdminUrl).host}, subgraph pool ${process.env.DB_POOL_SIZE ?? 10}`,
    );
    const api = await driveSubgraph(subgraph.url);
    const holds = await benchHolds({
      url: subgraph.url,
      db,
      hotGoods: SUBGRAPH_GOODS,
      firstSpreadGoods: 3,
      seconds,
      clients,
    });
    subgraph.child.kill("SIGTERM");
    await new Promise((resolve) => subgraph?.child.once("exit", resolve));
    subgraph = null;
    const bench = runPgbench(databaseUrl, "same");
    const naive = runPgbench(databaseUrl, "naive");

    await db.end();
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    const violations = await ledgerViolations(pgPoolSqlClient(pool)).finally(() => pool.end());

    const rows = [
      [
        "inventory subgraph (HTTP, sellStock)",
        `${api.tps.toFixed(0)} sells/s`,
        `${api.count} sells, ${api.failures} failed`,
      ],
      [
        "pgbench (the same SQL as sellStock)",
        `${bench.tps.toFixed(0)} tx/s`,
        `avg latency ${bench.latency} ms, ${bench.failed} failed`,
      ],
      [
        "pgbench (naive BEGIN…COMMIT, reference)",
        `${naive.tps.toFixed(0)} tx/s`,
        `avg latency ${naive.latency} ms, ${naive.failed} failed`,
      ],
    ];
    for (const row of rows) console.log(`  ${row[0]?.padEnd(40)} ${row[1]?.padStart(14)}   ${row[2]}`);
    console.log(`  ratio subgraph / pgbench: ${(api.tps / bench.tps).toFixed(2)}`);
    console.log(`  subgraph latency: p50 ${api.p50.toFixed(1)} ms, p99 ${api.p99.toFixed(1)} ms`);
    const pairs = (label: string, run: typeof holds.hot) =>
      console.log(
        `  ${label.padEnd(40)} ${`${run.perSecond.toFixed(0)} pairs/s`.padStart(14)}   ${run.count} pairs, ${run.failures} failed, p99 ${run.p99.toFixed(1)} ms`,
      );
    console.log("checkout holds (holdStock then confirmHold, 1 unit):");
    pairs("one hot goods", holds.hot);
    pairs("spread over 1,000 goods", holds.spread);
    console.log(
      `  sweeper: ${holds.expiredHolds.toLocaleString("en")} expired holds ended in ${holds.sweepSeconds.toFixed(1)} s (${Math.round(holds.expiredHolds / holds.sweepSeconds)} holds/s)`,
    );
    console.log(
      `  hot-goods sells meanwhile: ${holds.sellsDuring.perSecond.toFixed(0)} sells/s, p99 ${holds.sellsDuring.p99.toFixed(1)} ms (before the sweep: ${holds.sellsBefore.perSecond.toFixed(0)} sells/s, p99 ${holds.sellsBefore.p99.toFixed(1)} ms; ${holds.sellsDuring.failures} failed)`,
    );
    console.log(
      `  ledger invariant after the run: ${violations.length === 0 ? "holds" : `BROKEN: ${violations.slice(0, 5).join("; ")}`}`,
    );
    if (violations.length > 0 || holds.sellsDuring.failures > 0) process.exitCode = 1;
  } finally {
    subgraph?.child.kill("SIGTERM");
    await database.drop();
  }
}

await main();
