/**
 * Stock events benchmark (not a test): `npm run bench:events`.
 *
 * On throwaway PostgreSQL databases, with the machine's NATS JetStream, each
 * service as its own process (as deployed):
 * 1. Sell throughput with the relay running vs stopped: inventory A relays to
 *    NATS, inventory B (its own database) has no NATS_URL. Interleaved rounds
 *    (A B, B A, …) of one-unit sells over 1,000 goods from BENCH_CLIENTS HTTP
 *    clients; the ratio A/B is the median of the per-round ratios (target ≥ 0.95).
 *    Then how long the relay needs after the last sell to have published A's whole ledger.
 * 2. Commit → subscriber latency: a graphql-ws subscriber (all goods) on a
 *    gateway that polls inventory's feed (the default) and one on a gateway
 *    reading JetStream, while sells go to A at a steady pace; latency is the
 *    arrival time minus the change's `at` (its transaction's timestamp, taken
 *    a fraction of a millisecond before commit in a one-statement sell). p50, p99, max.
 * 3. Relay throughput: B's database gets a backlog of sells (BENCH_BACKLOG
 *    movements, written by sellStock's own statement), then B restarts with
 *    NATS_URL and a new stream: events per second until the stream holds B's
 *    whole ledger.
 * Prints the figures and writes `<BENCH_RESULTS_DIR>/events-<time>.json`.
 *
 * Env: BENCH_DATABASE_URL or TEST_DATABASE_URL, TEST_NATS_URL (default nats://127.0.0.1:4222),
 * BENCH_SECONDS (per round, default 8), BENCH_ROUNDS (default 5), BENCH_CLIENTS (default 32),
 * BENCH_LATENCY_SELLS (default 500, at 50/s), BENCH_BACKLOG (default 50000),
 * BENCH_SMOKE=1 (a few seconds in all: CI runs it so the benchmark cannot rot).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { repoRoot } from "@emshop/db/paths";
import { importStockRows } from "@emshop/db/stock-import";
import { SELL_SQL } from "@emshop/inventory/stock/sell-stock";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import {
  deleteStream,
  NATS_URL,
  natsMissingReason,
  natsReachable,
  streamLength,
  uniqueStream,
} from "../events/support/nats";
import { type Recorder, wsConnection } from "../subscriptions/support/subscribers";
import { cpuSeconds } from "../support/process-stack";
import { type ServiceProcess, spawnService } from "../support/service-process";
import { asForSpawned } from "../support/tokens";
import { createBenchDatabase } from "./bench-database";
import { median } from "./catalog/report";
import { percentile } from "./catalog-scale/measure";

const smoke = process.env.BENCH_SMOKE === "1";
const setting = (name: string, full: number, short: number) => Number(process.env[name] ?? (smoke ? short : full));
const seconds = setting("BENCH_SECONDS", 8, 2);
const rounds = setting("BENCH_ROUNDS", 5, 1);
const clients = setting("BENCH_CLIENTS", 32, 8);
const latencySells = setting("BENCH_LATENCY_SELLS", 500, 40);
const backlog = setting("BENCH_BACKLOG", 50_000, 2_000);
const GOODS = 1000;
const SELL_PACE_MS = 20; // 50 sells/s in the latency phase: a steady trickle, not saturation
const START_STOCK = 1_000_000_000;

const SELL = `mutation($orderSn: String!, $items: [StockItemInput!]!) { sellStock(orderSn: $orderSn, items: $items) { status } }`;

const round1 = (value: number) => Math.round(value * 10) / 10;

/** Pids of processes by exact name (nats-server, postgres); empty when none runs here. */
function pidsNamed(name: string): number[] {
  try {
    return execFileSync("pgrep", ["-x", name], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds of the processes so far (those that exited meanwhile count 0: pooled backends stay). */
const cpuOf = (pids: number[]) =>
  pids.reduce((sum, pid) => {
    try {
      return sum + cpuSeconds(pid);
    } catch {
      return sum;
    }
  }, 0);

/** A migrated inventory database with GOODS goods in stock (one IMPORT movement each). */
async function stockedDatabase(label: string) {
  const database = await createBenchDatabase(label);
  const db = await openInventoryDb({ url: database.url });
  try {
    await migrate(db.sql, "inventory");
    const rows = Array.from({ length: GOODS }, (_, index) => ({ goodsId: index + 1, stocks: START_STOCK }));
    await importStockRows(db.sql, rows, { reason: "bench:events" });
  } finally {
    await db.close();
  }
  return database;
}

function startInventory(databaseUrl: string, nats?: { stream: string; subject: string }) {
  return spawnService("subgraphs/inventory/src/index.ts", {
    INVENTORY_DATABASE_URL: databaseUrl,
    INVENTORY_PORT: "0",
    DEMO_DATA: "false",
    LOG_LEVEL: "info",
    ...(nats ? { NATS_URL, STOCK_EVENTS_STREAM: nats.stream, STOCK_EVENTS_SUBJECT: nats.subject } : {}),
  });
}

function startGateway(inventoryUrl: string, nats?: { stream: string; subject: string }) {
  return spawnService("gateway/src/index.ts", {
    GATEWAY_PORT: "0",
    INVENTORY_URL: inventoryUrl,
    // Not started: only the subscription is measured, which needs inventory alone.
    GOODS_URL: "http://127.0.0.1:9/graphql",
    LOG_LEVEL: "info",
    ...(nats ? { NATS_URL, STOCK_EVENTS_STREAM: nats.stream, STOCK_EVENTS_SUBJECT: nats.subject } : {}),
  });
}

async function stopProcess(service: ServiceProcess | undefined) {
  if (!service || service.child.exitCode !== null) return;
  service.child.kill("SIGTERM");
  await Promise.race([service.exited, sleep(20_000).then(() => service.child.kill("SIGKILL"))]);
}

let orders = 0;
async function sell(url: string, authorization: string, goodsId: number) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify({
      query: SELL,
      variables: { orderSn: `events-${process.pid}-${orders++}`, items: [{ goodsId: String(goodsId), num: 1 }] },
    }),
  });
  const result = (await response.json()) as { errors?: { message: string }[] };
  if (result.errors) throw new Error(`sellStock failed: ${result.errors[0]?.message}`);
}

/** Sells per second from `clients` concurrent clients over `durationS`, on goods picked round-robin. */
async function driveSells(url: string, authorization: string, durationS: number) {
  let done = 0;
  let next = 0;
  const started = performance.now();
  const stopAt = started + durationS * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < stopAt) {
        await sell(url, authorization, (next++ % GOODS) + 1);
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

async function ledgerLength(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM stock_movement")).rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** Polls the stream until it holds `expected` messages; returns when it did, and when it first held any. */
async function untilStreamHolds(stream: string, expected: number, timeoutMs: number) {
  const connection = await connect({ servers: NATS_URL, timeout: 2000 });
  try {
    const deadline = Date.now() + timeoutMs;
    let firstAt: number | undefined;
    let firstCount = 0;
    for (;;) {
      const count = await streamLength(connection, stream);
      const now = performance.now();
      if (count > 0 && firstAt === undefined) {
        firstAt = now;
        firstCount = count;
      }
      if (count >= expected) return { doneAt: now, firstAt: firstAt ?? now, firstCount, count };
      if (Date.now() > deadline)
        throw new Error(`stream ${stream} holds ${count} of ${expected} after ${timeoutMs} ms`);
      await sleep(50);
    }
  } finally {
    await connection.close();
  }
}

/** Sells to A until every recorder has seen one, so that measuring starts with both subscriptions live. */
async function untilLive(url: string, authorization: string, recorders: Recorder[]) {
  const deadline = Date.now() + 30_000;
  while (recorders.some((recorder) => recorder.events.length === 0)) {
    if (Date.now() > deadline) throw new Error("the subscriptions did not go live within 30 s");
    await sell(url, authorization, 1);
    await sleep(200);
  }
}

function latencyFigures(recorder: Recorder, fromIndex: number, expected: number) {
  const events = recorder.events.slice(fromIndex);
  const latencies = events.map((event) => event.receivedAt - Date.parse(event.at)).sort((a, b) => a - b);
  return {
    received: events.length,
    expected,
    p50Ms: round1(percentile(latencies, 50)),
    p99Ms: round1(percentile(latencies, 99)),
    maxMs: round1(latencies.at(-1) ?? Number.NaN),
    lostOrRepeated: events.length !== expected || new Set(events.map((event) => event.id)).size !== events.length,
  };
}

async function main() {
  if (!(await natsReachable())) throw new Error(`bench:events ${natsMissingReason}`);
  const { authorization = "" } = await asForSpawned("order-service", "bench");
  const relayed = uniqueStream("bench_events_a");
  const backlogStream = uniqueStream("bench_events_b");
  const dbA = await stockedDatabase("events_a");
  const dbB = await stockedDatabase("events_b");
  const processes: (ServiceProcess | undefined)[] = [];
  try {
    const a = await startInventory(dbA.url, relayed);
    let b = await startInventory(dbB.url);
    processes.push(a, b);
    console.log(
      `stock events: ${clients} clients, ${rounds} round(s) of ${seconds} s per target, ${GOODS} goods, NATS ${NATS_URL}`,
    );

    // Warm-up: JIT, pools, query plans (and the relay's stream creation on A).
    await driveSells(a.url, authorization, smoke ? 1 : 2);
    await driveSells(b.url, authorization, smoke ? 1 : 2);

    // 1. Throughput, relay on (A) vs off (B), interleaved.
    const perRound: { relayOn: number; relayOff: number; ratio: number; relayCatchUpMs: number }[] = [];
    let ledgerA = 0;
    // CPU ms per sell of each process, per round (postgres: all its processes on this machine).
    const cpuMsPerSell = {
      on: { inventory: [] as number[], nats: [] as number[], postgres: [] as number[] },
      off: { inventory: [] as number[], nats: [] as number[], postgres: [] as number[] },
    };
    let relayedMessages = 0;
    for (let index = 0; index < rounds; index++) {
      const order = index % 2 === 0 ? (["on", "off"] as const) : (["off", "on"] as const);
      const figures = { on: 0, off: 0, catchUpMs: 0 };
      for (const target of order) {
        const service = target === "on" ? a : b;
        const watched = {
          inventory: [service.child.pid ?? 0],
          nats: pidsNamed("nats-server"),
          postgres: pidsNamed("postgres"),
        };
        const before = Object.fromEntries(Object.entries(watched).map(([name, pids]) => [name, cpuOf(pids)]));
        const sellsPerS = await driveSells(service.url, authorization, seconds);
        figures[target] = sellsPerS;
        const sells = sellsPerS * seconds;
        for (const [name, pids] of Object.entries(watched))
          cpuMsPerSell[target][name as keyof typeof watched].push(((cpuOf(pids) - (before[name] ?? 0)) * 1000) / sells);
        if (target !== "on") continue;
        // How far behind the relay was when the sells stopped: until the stream holds A's whole ledger.
        const stoppedAt = performance.now();
        ledgerA = await ledgerLength(dbA.url);
        const caughtUp = await untilStreamHolds(relayed.stream, ledgerA, 120_000);
        relayedMessages = caughtUp.count;
        figures.catchUpMs = Math.round(caughtUp.doneAt - stoppedAt);
      }
      perRound.push({
        relayOn: round1(figures.on),
        relayOff: round1(figures.off),
        ratio: figures.on / figures.off,
        relayCatchUpMs: figures.catchUpMs,
      });
      console.log(
        `  round ${index + 1}: relay on ${round1(figures.on)} sells/s, relay off ${round1(figures.off)} sells/s; relay caught up ${figures.catchUpMs} ms after the last sell`,
      );
    }
    const ratio = median(perRound.map((figure) => figure.ratio));
    const catchUpMs = Math.max(...perRound.map((figure) => figure.relayCatchUpMs));

    // 2. Commit → subscriber latency, polling gateway and JetStream gateway.
    const polling = await startGateway(a.url);
    processes.push(polling);
    const viaNats = await startGateway(a.url, relayed);
    processes.push(viaNats);
    const wsUrl = (service: ServiceProcess) => service.url.replace(/^http/, "ws");
    const pollingConnection = wsConnection(wsUrl(polling));
    const natsConnection = wsConnection(wsUrl(viaNats));
    const recorders = { polling: pollingConnection.subscribe(), nats: natsConnection.subscribe() };
    await untilLive(a.url, authorization, [recorders.polling, recorders.nats]);
    await sleep(500); // the probes' events arrive and are not measured
    const from = { polling: recorders.polling.events.length, nats: recorders.nats.events.length };
    for (let index = 0; index < latencySells; index++) {
      const started = performance.now();
      await sell(a.url, authorization, (index % GOODS) + 1);
      const rest = SELL_PACE_MS - (performance.now() - started);
      if (rest > 0) await sleep(rest);
    }
    await Promise.all([
      recorders.polling.until("every paced sell", () => recorders.polling.events.length >= from.polling + latencySells),
      recorders.nats.until("every paced sell", () => recorders.nats.events.length >= from.nats + latencySells),
    ]).catch((error: unknown) => console.error(String(error)));
    await sleep(300); // a repeat would arrive now
    const latency = {
      polling: latencyFigures(recorders.polling, from.polling, latencySells),
      jetstream: latencyFigures(recorders.nats, from.nats, latencySells),
    };
    recorders.polling.stop();
    recorders.nats.stop();
    await Promise.all([pollingConnection.dispose(), natsConnection.dispose()]);

    // 3. Relay throughput on a backlog: B stops, its database gets sells, B comes back relaying to a new stream.
    await stopProcess(b);
    const direct = new pg.Client({ connectionString: dbB.url });
    await direct.connect();
    try {
      const goodsIds = Array.from({ length: GOODS }, (_, index) => index + 1);
      const nums = goodsIds.map(() => 1);
      const items = JSON.stringify(goodsIds.map((goodsId) => ({ goodsId, num: 1 })));
      // sellStock's own statement, a 1,000-item order each: real SELL movements, ticked as one batch per order.
      for (let order = 0; order * GOODS < backlog; order++)
        await direct.query(SELL_SQL, [goodsIds, nums, `backlog-${order}`, items, GOODS, "bench"]);
    } finally {
      await direct.end();
    }
    const ledgerB = await ledgerLength(dbB.url);
    const restartedAt = performance.now();
    b = await startInventory(dbB.url, backlogStream);
    processes.push(b);
    const drained = await untilStreamHolds(backlogStream.stream, ledgerB, 300_000);
    const drainS = (drained.doneAt - drained.firstAt) / 1000;
    const relayRate = drainS > 0 ? (drained.count - drained.firstCount) / drainS : Number.NaN;
    const fromStartS = (drained.doneAt - restartedAt) / 1000;

    const results = {
      date: new Date().toISOString(),
      smoke,
      settings: { clients, rounds, seconds, goods: GOODS, latencySells, sellPaceMs: SELL_PACE_MS, backlog: ledgerB },
      sellThroughput: {
        rounds: perRound.map((figure) => ({ ...figure, ratio: Math.round(figure.ratio * 1000) / 1000 })),
        medianRatioRelayOnOff: Math.round(ratio * 1000) / 1000,
        target: 0.95,
        relayCatchUpAfterLastSellMaxMs: catchUpMs,
        relayedMessages,
        cpuMsPerSell: Object.fromEntries(
          Object.entries(cpuMsPerSell).map(([target, processes]) => [
            target === "on" ? "relayOn" : "relayOff",
            Object.fromEntries(
              Object.entries(processes).map(([name, values]) => [name, Math.round(median(values) * 1000) / 1000]),
            ),
          ]),
        ),
        ledgerRows: ledgerA,
      },
      latency,
      relayThroughput: {
        events: ledgerB,
        eventsPerSecond: Math.round(relayRate),
        secondsFromServiceStart: round1(fromStartS),
      },
    };
    console.log("");
    console.log("sell throughput, relay on / off (median of per-round ratios)");
    console.log(`  ${results.sellThroughput.medianRatioRelayOnOff}× (target ≥ 0.95)`);
    console.log(
      `  the relay had published A's whole ledger (${ledgerA} movements) at most ${catchUpMs} ms after a round's last sell`,
    );
    console.log("  CPU ms per sell (median of rounds), relay on / off:");
    for (const name of ["inventory", "nats", "postgres"] as const)
      console.log(
        `    ${name.padEnd(9)} ${median(cpuMsPerSell.on[name]).toFixed(3)} / ${median(cpuMsPerSell.off[name]).toFixed(3)}`,
      );
    console.log(`commit → subscriber latency, ${latencySells} sells at ${1000 / SELL_PACE_MS}/s`);
    for (const [name, figure] of Object.entries(latency))
      console.log(
        `  ${name.padEnd(9)} p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms, max ${figure.maxMs} ms (${figure.received}/${figure.expected} received${figure.lostOrRepeated ? ", LOST OR REPEATED" : ""})`,
      );
    console.log(
      `relay throughput: ${ledgerB} events in ${round1(drainS)} s from the first publish = ${Math.round(relayRate)} events/s (${round1(fromStartS)} s from the service's start)`,
    );
    const dir = process.env.BENCH_RESULTS_DIR ?? join(repoRoot, "bench-results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `events-${results.date.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`wrote ${file}`);
    if (latency.polling.lostOrRepeated || latency.jetstream.lostOrRepeated) process.exitCode = 1;
  } finally {
    await Promise.all(processes.map(stopProcess));
    await Promise.allSettled([dbA.drop(), dbB.drop()]);
    await Promise.allSettled([deleteStream(NATS_URL, relayed.stream), deleteStream(NATS_URL, backlogStream.stream)]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
