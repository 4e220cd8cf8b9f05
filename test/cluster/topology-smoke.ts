/**
 * Smoke test of the local HA database topology (test/cluster/topology):
 *
 *   npx tsx test/cluster/topology-smoke.ts [--runs N] [--keep-dir]
 *
 * Per run: starts the topology; checks the app's connections through
 * PgBouncer (node-postgres startup parameters, migrations and Prisma queries
 * in transaction pooling); writes rows to inventory through PgBouncer in a
 * loop, recording each acknowledged insert; SIGKILLs the inventory primary
 * (Patroni and postmaster); measures the seconds until writes succeed again;
 * checks every acknowledged row is on the new primary; brings the old member
 * back as a standby and reads the rows through the replica route; stops
 * everything and checks no process naming the run's directory is left.
 * Also routes HTTP through an HAProxy service backend added at run time and
 * reloads HAProxy while a request is in flight (it must complete).
 *
 * --ttl / --loop-wait / --retry-timeout override Patroni's DCS timing (default 10 / 1 / 4).
 * Prints a JSON result per run and a table; exits 1 when any check fails.
 * Bounded: a run taking over 110 s is stopped and fails.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { openGoodsDb } from "@emshop/db/goods";
import { prepareGoodsDb } from "@emshop/db/prepare";
import pg from "pg";
import { DEFAULT_TIMING } from "./topology/patroni";
import { freePorts } from "./topology/ports";
import { type DatabaseTopology, startDatabaseTopology } from "./topology/topology";
import { sleep, waitFor } from "./topology/wait";

const RUN_BUDGET_MS = 110_000;
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1] ?? 1) || 1;
const keepDir = args.includes("--keep-dir");
const flag = (name: string) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
const timing = {
  ttl: flag("--ttl") ?? DEFAULT_TIMING.ttl,
  loopWait: flag("--loop-wait") ?? DEFAULT_TIMING.loopWait,
  retryTimeout: flag("--retry-timeout") ?? DEFAULT_TIMING.retryTimeout,
};

interface RunResult {
  run: number;
  ok: boolean;
  failures: string[];
  startupSeconds: number;
  pgbouncer: Record<string, unknown>;
  serviceRoutes: Record<string, unknown>;
  killedMember: string;
  newPrimary: string;
  /** Seconds from the kill until Patroni's new leader answered GET /primary. */
  promotionSeconds: number;
  /** Seconds from the kill until an insert through PgBouncer succeeded again. */
  failoverSeconds: number;
  acked: number;
  ackedLost: number;
  failedWrites: number;
  firstWriteError: string;
  /** The errors the writer saw after the kill, by message. */
  writeErrors: Record<string, number>;
  rejoin: { seconds: number; role: string; rewound: boolean };
  replica: { inRecovery: boolean; rowsVisible: number; secondsToReplay: number };
  membersAfter: unknown;
  leftoverProcesses: number[];
  dirRemoved: boolean;
  totalSeconds: number;
}

const seconds = (fromMs: number) => Math.round((Date.now() - fromMs) / 10) / 100;

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What the services' connections do through PgBouncer (transaction pooling). */
async function checkPgbouncer(topo: DatabaseTopology, failures: string[]): Promise<Record<string, unknown>> {
  const goods = topo.databases.goods;
  // node-postgres sends these as startup parameters (prisma/src/open-database.ts); PgBouncer ignores them
  // (ignore_startup_parameters), its connect_query sets the defaults on the server connection instead.
  const settings = await withClient(goods.pgbouncerUrl, (client) =>
    client.query<{ statement_timeout: string; idle: string }>(
      "SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('idle_in_transaction_session_timeout') AS idle",
    ),
  ).catch((error: Error) => {
    failures.push(`plain connection through pgbouncer: ${error.message}`);
    return undefined;
  });
  const startupParams = await new Promise<string>((resolve) => {
    const client = new pg.Client({
      connectionString: goods.pgbouncerUrl,
      statement_timeout: 1234,
      idle_in_transaction_session_timeout: 4321,
    });
    client.on("error", () => undefined);
    client
      .connect()
      .then(() => client.query<{ value: string }>("SELECT current_setting('statement_timeout') AS value"))
      .then((result) =>
        resolve(`accepted, server has statement_timeout=${result.rows[0]?.value} (client asked 1234ms)`),
      )
      .catch((error: Error) => resolve(`refused: ${error.message}`))
      .finally(() => void client.end().catch(() => undefined));
  });
  if (startupParams.startsWith("refused")) failures.push(`startup parameters through pgbouncer ${startupParams}`);
  // Migrations (transactions + pg_advisory_xact_lock) and Prisma (adapter-pg: unnamed statements) through PgBouncer.
  let prisma = "not run";
  let migrations = "not run";
  const db = await openGoodsDb({ url: goods.pgbouncerUrl });
  try {
    const started = Date.now();
    await prepareGoodsDb(db, { log: () => undefined, demoData: false });
    migrations = `ok (${seconds(started)} s)`;
    const brand = await db.prisma.brand.create({ data: { name: `smoke-${Date.now()}` } });
    const counts = await Promise.all(
      Array.from({ length: 40 }, () => db.prisma.brand.count({ where: { name: { startsWith: "smoke-" } } })),
    );
    const inTransaction = await db.prisma.$transaction(async (tx) => tx.brand.findFirst({ where: { id: brand.id } }));
    prisma =
      counts.every((count) => count === 1) && inTransaction
        ? "ok (create, 40 concurrent counts, $transaction)"
        : "wrong results";
    if (!prisma.startsWith("ok")) failures.push(`prisma through pgbouncer: ${prisma}`);
  } catch (error) {
    prisma = `failed: ${(error as Error).message.split("\n").slice(-3).join(" ")}`;
    failures.push(`prisma/migrations through pgbouncer: ${prisma}`);
  } finally {
    await db.close();
  }
  // LISTEN through PgBouncer in transaction mode hears nothing; through the primary route it does.
  const listenHeard = async (url: string) =>
    withClient(url, async (listener) => {
      let heard = 0;
      listener.on("notification", () => {
        heard++;
      });
      await listener.query("LISTEN smoke_channel");
      await withClient(goods.primaryUrl, (notifier) => notifier.query("NOTIFY smoke_channel, 'x'"));
      await sleep(300);
      await listener.query("SELECT 1");
      return heard;
    });
  return {
    serverTimeouts: settings?.rows[0],
    startupParams,
    migrations,
    prisma,
    listenViaPgbouncerHeard: await listenHeard(goods.pgbouncerUrl),
    listenViaPrimaryRouteHeard: await listenHeard(goods.primaryUrl),
  };
}

/**
 * Two tiny HTTP "services" behind an HAProxy service backend added at run time; a slow request
 * in flight across a reload (which adds another backend) must still complete.
 */
async function checkServiceRoutes(topo: DatabaseTopology, failures: string[]): Promise<Record<string, unknown>> {
  const [listenPort, portA, portB, secondListen] = await freePorts(4);
  if (!listenPort || !portA || !portB || !secondListen) throw new Error("no ports");
  const servers: Server[] = [];
  const serve = (name: string, port: number) =>
    new Promise<void>((resolve) => {
      const server = createServer((request, response) => {
        if (request.url === "/health/ready") return void response.end("ready");
        const delay = request.url === "/slow" ? 1500 : 0;
        setTimeout(() => response.end(name), delay);
      });
      servers.push(server);
      server.listen(port, "127.0.0.1", resolve);
    });
  try {
    await Promise.all([serve("a", portA), serve("b", portB)]);
    await topo.haproxy.addServiceBackend({
      name: "gateway",
      listenPort,
      servers: [
        { name: "gateway-a", port: portA },
        { name: "gateway-b", port: portB },
      ],
    });
    await topo.haproxy.waitForUp("svc_gateway", ["gateway-a", "gateway-b"], 10_000);
    const answers = new Set<string>();
    for (let i = 0; i < 4; i++) answers.add(await (await fetch(`http://127.0.0.1:${listenPort}/graphql`)).text());
    const slow = fetch(`http://127.0.0.1:${listenPort}/slow`).then((response) => response.text());
    await sleep(200);
    const reloadStarted = Date.now();
    await topo.haproxy.addServiceBackend({
      name: "goods",
      listenPort: secondListen,
      servers: [{ name: "goods-a", port: portA }],
    });
    const reloadSeconds = seconds(reloadStarted);
    const slowAnswer = await slow.catch((error: Error) => `failed: ${error.message}`);
    await topo.haproxy.waitForUp("svc_goods", ["goods-a"], 10_000);
    const viaSecond = await (await fetch(`http://127.0.0.1:${secondListen}/graphql`)).text();
    const result = {
      balancedOver: [...answers].sort().join(","),
      inFlightAcrossReload: slowAnswer,
      reloadSeconds,
      addedBackendAnswers: viaSecond,
    };
    if (result.balancedOver !== "a,b" || !/^[ab]$/.test(slowAnswer) || viaSecond !== "a")
      failures.push(`haproxy service routes: ${JSON.stringify(result)}`);
    return result;
  } finally {
    for (const server of servers) server.close();
  }
}

/** Inserts rows one after another through PgBouncer until stopped; records every acknowledged one. */
function startWriter(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 2000, query_timeout: 3000 });
  pool.on("error", () => undefined);
  const acked: number[] = [];
  const errors: { at: number; message: string }[] = [];
  const successes: number[] = [];
  let running = true;
  let seq = 0;
  const done = (async () => {
    while (running) {
      const value = ++seq;
      try {
        await pool.query("INSERT INTO smoke_writes (seq) VALUES ($1)", [value]);
        acked.push(value);
        successes.push(Date.now());
      } catch (error) {
        errors.push({ at: Date.now(), message: (error as Error).message });
        await sleep(50);
      }
    }
    await pool.end().catch(() => undefined);
  })();
  return {
    acked,
    errors,
    /**
     * When writes worked again after the outage that began at `time`: the first acknowledged
     * write after the first failed one (writes acknowledged in the milliseconds before the
     * postmaster died do not count as recovery).
     */
    recoveredAfter(time: number) {
      const outage = errors.find((error) => error.at >= time);
      return outage && successes.find((at) => at >= outage.at);
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

async function oneRun(run: number): Promise<RunResult> {
  const started = Date.now();
  const failures: string[] = [];
  const topo = await startDatabaseTopology({ keepDir, timing, log: (line) => console.error(`[run ${run}] ${line}`) });
  const watchdog = setTimeout(() => {
    console.error(`[run ${run}] over ${RUN_BUDGET_MS / 1000} s: stopping`);
    void topo.stop().finally(() => process.exit(1));
  }, RUN_BUDGET_MS);
  try {
    const inventory = topo.databases.inventory;
    const pgbouncer = await checkPgbouncer(topo, failures);
    const serviceRoutes = await checkServiceRoutes(topo, failures);
    console.error(`[run ${run}] pgbouncer and haproxy service checks done (${seconds(started)} s)`);

    await withClient(inventory.primaryUrl, (client) =>
      client.query("CREATE TABLE smoke_writes (seq integer PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())"),
    );
    const writer = startWriter(inventory.pgbouncerUrl);
    await waitFor("the first writes", () => writer.acked.length >= 20, { timeoutMs: 10_000 });
    await sleep(1000);

    // Measured from just before the kill, like waitForNewPrimary's seconds.
    const killedAt = Date.now();
    const { killedMember } = await inventory.killPrimary();
    console.error(`[run ${run}] killed ${killedMember} after ${writer.acked.length} acked writes`);
    const [promotion] = await Promise.all([
      inventory.waitForNewPrimary(30_000),
      waitFor("writes through pgbouncer to succeed again", () => writer.recoveredAfter(killedAt), {
        timeoutMs: 40_000,
        intervalMs: 50,
      }),
    ]);
    const recoveredAt = writer.recoveredAfter(killedAt) ?? Date.now();
    await sleep(1000);
    await writer.stop();
    const failoverSeconds = Math.round((recoveredAt - killedAt) / 10) / 100;
    const failed = writer.errors.filter((error) => error.at >= killedAt);
    console.error(`[run ${run}] writes back after ${failoverSeconds} s (new primary ${promotion.member})`);

    // Every acknowledged row must be on the new primary.
    const acked = [...writer.acked];
    const onPrimary = await withClient(inventory.primaryUrl, async (client) => {
      const result = await client.query<{ seq: number }>("SELECT seq FROM smoke_writes WHERE seq = ANY($1::int[])", [
        acked,
      ]);
      return result.rowCount ?? 0;
    });
    const ackedLost = acked.length - onPrimary;
    if (ackedLost !== 0) failures.push(`${ackedLost} acknowledged writes lost`);

    // The old member comes back as a standby; the replica route serves the replayed rows from it.
    const rejoin = await inventory.restartMember(killedMember, 45_000);
    const rewound = /INFO: running pg_rewind/.test(
      readFileSync(`${inventory.cluster.member(killedMember).dir}/patroni.log`, "utf8"),
    );
    await topo.haproxy.waitForUp("inventory_replica", [killedMember], 15_000);
    const replayStarted = Date.now();
    const replica = await waitFor(
      "the replica route to return every acknowledged row",
      () =>
        withClient(inventory.replicaUrl, async (client) => {
          const recovery = await client.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r");
          const rows = await client.query("SELECT seq FROM smoke_writes WHERE seq = ANY($1::int[])", [acked]);
          const visible = rows.rowCount ?? 0;
          return visible === acked.length
            ? {
                inRecovery: recovery.rows[0]?.r === true,
                rowsVisible: visible,
                secondsToReplay: seconds(replayStarted),
              }
            : undefined;
        }),
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    if (!replica.inRecovery) failures.push("the replica route reached a server not in recovery");
    await inventory.waitForSyncStandby(killedMember, 20_000).catch((error: Error) => {
      failures.push(error.message.split("\n")[0] ?? "no sync standby");
    });
    const membersAfter = await inventory.members();

    const dir = topo.dir;
    await topo.stop();
    await topo.stop(); // idempotent
    let leftoverProcesses: number[] = [];
    try {
      leftoverProcesses = execFileSync("pgrep", ["-f", dir], { encoding: "utf8" }).trim().split("\n").map(Number);
    } catch {
      // pgrep exits 1 when nothing matches
    }
    if (leftoverProcesses.length > 0) failures.push(`processes left: ${leftoverProcesses.join(", ")}`);
    const dirRemoved = !existsSync(dir);
    if (!dirRemoved && !keepDir) failures.push(`${dir} not removed`);

    return {
      run,
      ok: failures.length === 0,
      failures,
      startupSeconds: topo.startupSeconds,
      pgbouncer,
      serviceRoutes,
      killedMember,
      newPrimary: promotion.member,
      promotionSeconds: Math.round(promotion.seconds * 100) / 100,
      failoverSeconds,
      acked: acked.length,
      ackedLost,
      failedWrites: failed.length,
      firstWriteError: failed[0]?.message ?? "",
      writeErrors: Object.fromEntries(
        [...new Set(failed.map((error) => error.message))].map((message) => [
          message,
          failed.filter((error) => error.message === message).length,
        ]),
      ),
      rejoin: { seconds: rejoin.seconds, role: rejoin.role, rewound },
      replica,
      membersAfter,
      leftoverProcesses,
      dirRemoved,
      totalSeconds: seconds(started),
    };
  } finally {
    clearTimeout(watchdog);
    await topo.stop().catch(() => undefined);
  }
}

const results: RunResult[] = [];
let failed = false;
for (let run = 1; run <= runs; run++) {
  try {
    const result = await oneRun(run);
    results.push(result);
    console.log(JSON.stringify(result, null, 2));
    if (!result.ok) failed = true;
  } catch (error) {
    failed = true;
    console.error(`[run ${run}] failed: ${(error as Error).stack ?? error}`);
  }
}
console.table(
  results.map((result) => ({
    run: result.run,
    ok: result.ok,
    startup_s: result.startupSeconds,
    promotion_s: result.promotionSeconds,
    failover_s: result.failoverSeconds,
    acked: result.acked,
    ackedLost: result.ackedLost,
    rejoin_s: result.rejoin.seconds,
    rewound: result.rejoin.rewound,
    replicaRows: result.replica.rowsVisible,
    leftover: result.leftoverProcesses.length,
    total_s: result.totalSeconds,
  })),
);
process.exit(failed ? 1 : 0);
