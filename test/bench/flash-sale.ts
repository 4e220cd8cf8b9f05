/**
 * Flash-sale benchmark of sellStock's group commit (not a test): `npm run bench:flash`.
 *
 * Two inventory processes on throwaway PostgreSQL databases, one with
 * SELL_GROUP_COMMIT=true and one with false, and a gateway in front of each.
 * 1. Correctness, four targets (inventory subgraph / gateway × on / off), each
 *    on a goods of its own at BENCH_STOCK units: BENCH_ORDERS distinct orderSns
 *    of 1 unit, plus 5% exact retries and 1% same-orderSn-other-items
 *    (./flash/plan.ts), from BENCH_CLIENTS concurrent HTTP clients. Then every
 *    answer is checked against the database (./flash/audit.ts): exactly the
 *    stock sold, each orderSn one outcome, retries answered with the first
 *    result, conflicts ORDER_CONFLICT, the ledger invariant, nothing taken twice.
 * 2. Throughput over HTTP, straight to the two inventory processes: one-unit
 *    sells of one hot goods that never sells out, interleaved rounds on/off.
 * 3. The same in-process: concurrent SellCoalescer.sell calls, enabled vs not,
 *    on a pool of 20 connections, no HTTP.
 * Prints the tables and, as its last line, the results as one JSON object,
 * also written to <BENCH_RESULTS_DIR>/flash-<time>.json. Exit code 1 if a check failed.
 *
 * Env: BENCH_DATABASE_URL or TEST_DATABASE_URL, BENCH_ORDERS (10000), BENCH_STOCK (2000),
 * BENCH_CLIENTS (200), BENCH_SECONDS (20), BENCH_ROUNDS (3), SELL_GROUP_COMMIT_MAX_BATCH (200),
 * BENCH_SEED, BENCH_RESULTS_DIR (bench-results), BENCH_SMOKE=1 (500 orders, 100 units,
 * 50 clients, 1 round of 2 s: every check, little meaning; CI runs it).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openInventoryDb } from "@emshop/db/inventory";
import { SellCoalescer } from "@emshop/inventory/stock/group-commit";
import { ledgerViolations } from "@emshop/inventory/stock/invariants";
import { asForSpawned } from "../support/tokens";
import { cleanup, cleanupOnSignals, interruptedBy, onCleanup } from "./catalog/cleanup";
import { type CorrectnessFigures, checkFlashSale } from "./flash/correctness";
import { stockedDatabase, UNLIMITED_STOCK } from "./flash/databases";
import { driveFor } from "./flash/drive";
import { checkFirstComeFirstServed } from "./flash/fcfs";
import { planFlashSale } from "./flash/plan";
import { correctnessTable, throughputTable } from "./flash/report";
import { httpSeller, inProcessSeller } from "./flash/sellers";
import { type FlashService, startGateway, startInventory } from "./flash/services";
import { flashSettings } from "./flash/settings";
import { type Comparison, compareOnOff } from "./flash/throughput";

const settings = flashSettings();
const started = performance.now();
const log = (line: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

/** Per database: a flash goods for the subgraph target, one for the gateway target, the throughput's hot goods, the FCFS check's. */
const GOODS = { subgraph: 1, gateway: 2, hot: 3, fcfs: 4 } as const;
const ACTOR = "bench-flash (order-service)";
const WARMUP_SECONDS = settings.smoke ? 0.5 : 2;

function stopAtCleanup(service: FlashService) {
  onCleanup(`stop ${service.name}`, service.stop);
  return service;
}

/** The ledger invariant of a whole database at the end, after the throughput phases wrote to it too. */
async function ledgerAtTheEnd(database: string, url: string): Promise<string[]> {
  const db = await openInventoryDb({ url, poolSize: 2 });
  try {
    return (await ledgerViolations(db.sql)).map(
      (violation) => `ledger of the ${database} database at the end: ${violation}`,
    );
  } finally {
    await db.close();
  }
}

/** Refusals in a throughput phase, where stock never runs out: each one is a failure. */
function refusalFailures(label: string, comparison: Comparison): string[] {
  return comparison.rounds.flatMap((round) =>
    Object.entries(round.refusals).map(
      ([code, { count, message }]) =>
        `${label} ${round.side}, round ${round.round}: ${count} sells answered ${code}${message ? ` (${message})` : ""}`,
    ),
  );
}

async function main() {
  cleanupOnSignals();
  const headers = await asForSpawned("order-service", "bench-flash");
  if (settings.orders <= settings.initialStock)
    console.warn(`BENCH_ORDERS (${settings.orders}) ≤ BENCH_STOCK (${settings.initialStock}): nothing will sell out`);
  log(
    `flash sale: ${settings.orders} orders (+${settings.retryShare * 100}% retries, +${settings.conflictShare * 100}% conflicts) on ${settings.initialStock} units, ${settings.clients} clients; throughput ${settings.rounds} round(s) × ${settings.seconds} s, max batch ${settings.maxBatch}`,
  );

  const stocks = [
    { goodsId: GOODS.subgraph, stocks: settings.initialStock },
    { goodsId: GOODS.gateway, stocks: settings.initialStock },
    { goodsId: GOODS.hot, stocks: UNLIMITED_STOCK },
  ];
  const [dbOn, dbOff] = await Promise.all([stockedDatabase("flash_on", stocks), stockedDatabase("flash_off", stocks)]);
  log("starting inventory (group commit on), inventory (off) and a gateway in front of each…");
  const [inventoryOn, inventoryOff] = (
    await Promise.all([
      startInventory("inventory (on)", dbOn.url, true, settings.maxBatch),
      startInventory("inventory (off)", dbOff.url, false, settings.maxBatch),
    ])
  ).map(stopAtCleanup) as [FlashService, FlashService];
  const [gatewayOn, gatewayOff] = (
    await Promise.all([startGateway("gateway (on)", inventoryOn.url), startGateway("gateway (off)", inventoryOff.url)])
  ).map(stopAtCleanup) as [FlashService, FlashService];

  // 1. Correctness: four targets, each on a goods of its own that starts at initialStock.
  const targets = [
    { key: "sub-on", name: "subgraph, group commit on", via: inventoryOn, inventory: inventoryOn, db: dbOn },
    { key: "sub-off", name: "subgraph, group commit off", via: inventoryOff, inventory: inventoryOff, db: dbOff },
    { key: "gw-on", name: "gateway, group commit on", via: gatewayOn, inventory: inventoryOn, db: dbOn },
    { key: "gw-off", name: "gateway, group commit off", via: gatewayOff, inventory: inventoryOff, db: dbOff },
  ];
  const correctness: CorrectnessFigures[] = [];
  for (const target of targets) {
    const goodsId = target.via === target.inventory ? GOODS.subgraph : GOODS.gateway;
    const orderSnPrefix = `flash-${target.key}-`;
    const plan = planFlashSale({ ...settings, orderSnPrefix, goodsId });
    const sell = httpSeller(target.via.url, headers);
    // Warm (JIT, pools, query plans) on the hot goods first, so that the latencies are the sale's, not the start's.
    let warmed = 0;
    await driveFor(WARMUP_SECONDS, settings.clients, sell, () => ({
      orderSn: `warm-${target.key}-${warmed++}`,
      items: [{ goodsId: GOODS.hot, num: 1 }],
    }));
    log(`correctness: ${target.name} (${plan.length} calls)…`);
    const result = await checkFlashSale(
      {
        name: target.name,
        sell,
        databaseUrl: target.db.url,
        goodsId,
        orderSnPrefix,
        pids: {
          inventory: target.inventory.pid,
          ...(target.via === target.inventory ? {} : { gateway: target.via.pid }),
        },
      },
      plan,
      settings,
    );
    correctness.push(result);
    for (const failure of result.failures) console.log(`    FAILED: ${failure}`);
  }
  await Promise.all([gatewayOn.stop(), gatewayOff.stop()]);

  // 2. Throughput over HTTP, straight to the inventory processes.
  log(`throughput over HTTP: ${settings.clients} clients → one hot goods, inventory on vs off…`);
  const comparison = { goodsId: GOODS.hot, ...settings, warmupSeconds: WARMUP_SECONDS };
  const http = await compareOnOff(
    "http",
    {
      on: {
        sell: httpSeller(inventoryOn.url, headers),
        pids: { inventory: inventoryOn.pid },
        serviceUrl: inventoryOn.url,
      },
      off: {
        sell: httpSeller(inventoryOff.url, headers),
        pids: { inventory: inventoryOff.pid },
        serviceUrl: inventoryOff.url,
      },
    },
    comparison,
  );
  // Stopped, so that their background work (feed ticks, sweeps) is not charged to the in-process phase.
  await Promise.all([inventoryOn.stop(), inventoryOff.stop()]);

  // 3. In-process: SellCoalescer.sell on a pool of the bench's own.
  log(`throughput in-process: ${settings.clients} concurrent SellCoalescer.sell loops, enabled vs not…`);
  const fcfsSettings = { orders: settings.smoke ? 300 : 3000, stock: settings.smoke ? 200 : 2000 };
  const dbInProcess = await stockedDatabase("flash_inproc", [
    { goodsId: GOODS.hot, stocks: UNLIMITED_STOCK },
    { goodsId: GOODS.fcfs, stocks: fcfsSettings.stock },
  ]);
  const db = await openInventoryDb({ url: dbInProcess.url, poolSize: settings.inProcessPoolSize });
  onCleanup("close the in-process pool", () => db.close());
  const inProcess = await compareOnOff(
    "in-process",
    {
      on: {
        sell: inProcessSeller(new SellCoalescer(db, { enabled: true, maxBatch: settings.maxBatch }), ACTOR),
        pids: {},
      },
      off: {
        sell: inProcessSeller(new SellCoalescer(db, { enabled: false, maxBatch: settings.maxBatch }), ACTOR),
        pids: {},
      },
    },
    comparison,
  );

  // 4. First come, first served, where arrival order is known: in-process, one go, mixed quantities.
  const fcfs = await checkFirstComeFirstServed(db, GOODS.fcfs, { ...fcfsSettings, maxBatch: settings.maxBatch });
  log(
    `first come, first served: ${fcfs.orders} orders of 1–3 units on ${fcfs.stock}: ${fcfs.sold} sold, ${fcfs.violations} violations`,
  );

  const failures = [
    ...fcfs.examples.map((example) => `first come, first served: ${example}`),
    ...correctness.flatMap((result) => result.failures.map((failure) => `${result.target}: ${failure}`)),
    ...refusalFailures("HTTP", http),
    ...refusalFailures("in-process", inProcess),
    ...(await ledgerAtTheEnd("group commit on", dbOn.url)),
    ...(await ledgerAtTheEnd("group commit off", dbOff.url)),
    ...(await ledgerAtTheEnd("in-process", dbInProcess.url)),
  ];

  console.log("");
  console.log(correctnessTable(correctness));
  console.log("");
  console.log(
    throughputTable([
      { target: "HTTP → inventory, group commit on", summary: http.on },
      { target: "HTTP → inventory, group commit off", summary: http.off },
      { target: "in-process SellCoalescer, enabled", summary: inProcess.on },
      { target: "in-process SellCoalescer, disabled", summary: inProcess.off },
    ]),
  );
  console.log("");
  const ratios = (values: number[]) => values.map((ratio) => ratio.toFixed(2)).join(", ");
  console.log(
    `  speedup on/off over HTTP: ${http.speedup.toFixed(2)}× (median of per-round ratios ${ratios(http.ratios)})`,
  );
  console.log(`  speedup on/off in-process: ${inProcess.speedup.toFixed(2)}× (rounds ${ratios(inProcess.ratios)})`);
  console.log(`  checks: ${failures.length === 0 ? "all passed" : `${failures.length} FAILED`}`);
  for (const failure of failures.slice(0, 20)) console.log(`    ${failure}`);

  const headline = correctness[0];
  const date = new Date().toISOString();
  const results = {
    // The headline figures: the correctness ones of "subgraph, group commit on", doubleTaken over all four targets.
    orders: settings.orders,
    initialStock: settings.initialStock,
    sold: headline?.sold,
    insufficient: headline?.insufficient,
    doubleTaken: correctness.reduce((sum, result) => sum + result.doubleTaken, 0),
    speedupInProcess: inProcess.speedup,
    speedupHttp: http.speedup,
    sellsPerSecHttpOn: http.on.sellsPerSec,
    sellsPerSecHttpOff: http.off.sellsPerSec,
    p99OnMs: http.on.p99Ms,
    p99OffMs: http.off.p99Ms,
    fcfsViolations: fcfs.violations,
    checksPassed: failures.length === 0,
    failures,
    benchmark: "flash",
    date,
    settings,
    correctness,
    http,
    inProcess,
    fcfs,
    durationS: (performance.now() - started) / 1000,
  };
  mkdirSync(settings.resultsDir, { recursive: true });
  const file = join(settings.resultsDir, `flash-${date.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`  wrote ${file}`);
  if (failures.length > 0) process.exitCode = 1;
  console.log(JSON.stringify(results));
}

try {
  await main();
} catch (error) {
  if (!interruptedBy()) console.error(`\nnpm run bench:flash failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  // Quietly: the JSON stays the last line on stdout.
  await cleanup();
}
