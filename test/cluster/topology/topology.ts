import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startEtcd } from "./etcd";
import { Haproxy, type ServiceBackend } from "./haproxy";
import { type DcsTiming, DEFAULT_TIMING, type MemberRole, type MemberStatus, PatroniCluster } from "./patroni";
import { serverTimeouts, startPgbouncer } from "./pgbouncer";
import { freePorts } from "./ports";
import { ProcessRegistry, postgresUser } from "./processes";

/**
 * A local high-availability database topology on loopback, for cluster tests:
 *
 *   etcd (1 member) ← Patroni × 2 clusters × 2 members (PostgreSQL 15, synchronous replication)
 *   HAProxy: per cluster a primary route (GET /primary) and a replica route (GET /replica),
 *            plus optional HTTP routes for the application services
 *   PgBouncer (transaction pooling) → the HAProxy primary routes
 *
 * Everything runs as child processes in one temporary directory (owned by
 * the postgres OS user when we are root) and on free random ports.
 *
 * ```ts
 * const topo = await startDatabaseTopology({ dir?, timing?, services?, startTimeoutMs?, keepDir? });
 * topo.databases.goods / .inventory: TopologyDatabase
 *   .pgbouncerUrl  postgresql://postgres@127.0.0.1:<pgbouncer>/<db>   transaction pooling → primary route
 *   .primaryUrl    HAProxy primary route, no PgBouncer (LISTEN, session state, advisory locks)
 *   .replicaUrl    HAProxy replica route (hot standbys, read-only)
 *   .memberUrl(name)  one member's PostgreSQL directly
 *   .members(): Promise<MemberStatus[]>          Patroni REST /cluster
 *   .killPrimary(): Promise<{ killedMember }>     SIGKILL the leader's Patroni and its postmaster's group
 *   .waitForNewPrimary(timeoutMs): Promise<{ member, seconds }>   seconds since killPrimary
 *   .restartMember(name, timeoutMs?): Promise<{ member, role, seconds }>   rejoins as a standby (pg_rewind)
 *   .waitForSyncStandby(name, timeoutMs?)
 * topo.haproxy: Haproxy  (.addServiceBackend(svc), .reload({ services }), .serverStates(), .waitForUp(proxy, servers, ms))
 * topo.stop(): Promise<void>  SIGKILLs every process group it started, removes the dir; idempotent;
 *   also run on process exit, SIGINT and SIGTERM.
 * ```
 */

export interface TopologyOptions {
  /** Directory to run in (created; removed by stop() unless keepDir). Default: a new one under the OS temp dir. */
  dir?: string;
  /** Keep the directory (logs, data) after stop(), e.g. to debug a failure. Also TOPOLOGY_KEEP_DIR=1. */
  keepDir?: boolean;
  /** Patroni's DCS timing (default ttl 10 s, loop_wait 1 s, retry_timeout 4 s). */
  timing?: DcsTiming;
  /** HTTP service routes to put into HAProxy from the start (more with haproxy.addServiceBackend). */
  services?: ServiceBackend[];
  /** Budget for the whole startup (default 90 s). */
  startTimeoutMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface TopologyDatabase {
  /** Patroni scope, e.g. emshop-goods. */
  scope: string;
  database: string;
  pgbouncerUrl: string;
  primaryUrl: string;
  replicaUrl: string;
  memberUrl(name: string): string;
  memberNames: string[];
  members(): Promise<MemberStatus[]>;
  killPrimary(): Promise<{ killedMember: string }>;
  waitForNewPrimary(timeoutMs: number): Promise<{ member: string; seconds: number }>;
  restartMember(name: string, timeoutMs?: number): Promise<{ member: string; role: MemberRole; seconds: number }>;
  waitForSyncStandby(name: string, timeoutMs?: number): Promise<void>;
  cluster: PatroniCluster;
}

export interface DatabaseTopology {
  dir: string;
  etcdUrl: string;
  databases: { goods: TopologyDatabase; inventory: TopologyDatabase };
  haproxy: Haproxy;
  pgbouncer: { port: number; url(database: string): string };
  /** Seconds startDatabaseTopology took. */
  startupSeconds: number;
  /** Every process group it started, the dir gone; safe to call twice. */
  stop(): Promise<void>;
}

const DATABASES = [
  { key: "goods", scope: "emshop-goods", database: "emshop_goods" },
  { key: "inventory", scope: "emshop-inventory", database: "emshop_inventory" },
] as const;
const MEMBERS_PER_CLUSTER = 2;

/** Live topologies, stopped (synchronously) when the process exits. */
const live = new Set<{ stopSync(): void; stop(): Promise<void> }>();
let handlersInstalled = false;

function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", () => {
    for (const topology of live) topology.stopSync();
  });
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const)
    process.on(signal, () => {
      void Promise.allSettled([...live].map((topology) => topology.stop())).finally(() => process.exit(code));
    });
}

export async function startDatabaseTopology(options: TopologyOptions = {}): Promise<DatabaseTopology> {
  const started = Date.now();
  const timeoutMs = options.startTimeoutMs ?? 90_000;
  const deadline = started + timeoutMs;
  const remaining = () => Math.max(1000, deadline - Date.now());
  const log = options.log ?? (() => undefined);
  const runAs = postgresUser();
  const keepDir = options.keepDir ?? process.env.TOPOLOGY_KEEP_DIR === "1";

  let dir: string;
  if (options.dir) {
    dir = resolve(options.dir);
    mkdirSync(dir, { recursive: true });
  } else dir = mkdtempSync(join(tmpdir(), "emshop-topology-"));
  chmodSync(dir, 0o700);
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);

  const registry = new ProcessRegistry();
  // stopSync (process exit) also finishes an async stop() that was cut short.
  let stopping: Promise<void> | undefined;
  let done = false;
  const stopSync = () => {
    if (done) return;
    done = true;
    live.delete(handle);
    registry.killAllSync(dir);
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  };
  const stop = () => {
    stopping ??= (async () => {
      const left = await registry.killAll(dir);
      done = true;
      live.delete(handle);
      if (!keepDir && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
      if (left.length > 0) throw new Error(`processes naming ${dir} survived SIGKILL: ${left.join(", ")}`);
    })();
    return stopping;
  };
  const handle = { stopSync, stop };
  installExitHandlers();
  live.add(handle);

  try {
    // etcd 2, per cluster: HAProxy 2 + per member PostgreSQL and REST, PgBouncer 1.
    const ports = await freePorts(2 + DATABASES.length * (2 + 2 * MEMBERS_PER_CLUSTER) + 1);
    const next = () => {
      const port = ports.shift();
      if (port === undefined) throw new Error("ran out of allocated ports");
      return port;
    };
    const etcd = await startEtcd(registry, {
      dir,
      clientPort: next(),
      peerPort: next(),
      runAs,
      timeoutMs: remaining(),
    });
    log(`etcd up at ${etcd.clientUrl} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

    const timing = options.timing ?? DEFAULT_TIMING;
    const plans = DATABASES.map((spec) => ({
      ...spec,
      primaryPort: next(),
      replicaPort: next(),
      members: Array.from({ length: MEMBERS_PER_CLUSTER }, (_, index) => ({
        name: `${spec.key}-${index}`,
        pgPort: next(),
        restPort: next(),
      })),
    }));
    const clusters = plans.map(
      (plan) =>
        new PatroniCluster(registry, {
          scope: plan.scope,
          database: plan.database,
          dir,
          etcd,
          members: plan.members,
          timing,
          runAs,
        }),
    );
    const haproxy = new Haproxy(registry, dir, {
      postgres: plans.map((plan) => ({
        name: plan.key,
        primaryPort: plan.primaryPort,
        replicaPort: plan.replicaPort,
        members: plan.members,
      })),
      services: options.services ?? [],
    });
    // HAProxy needs nothing up to start (servers start DOWN), so it starts while Patroni bootstraps.
    await Promise.all([...clusters.map((cluster) => cluster.start(remaining())), haproxy.start(remaining())]);
    for (const cluster of clusters) cluster.trackPostmasters();
    log(`patroni clusters up (${((Date.now() - started) / 1000).toFixed(1)} s)`);

    const pgbouncer = await startPgbouncer(registry, {
      dir,
      port: next(),
      databases: plans.map((plan) => ({ name: plan.database, port: plan.primaryPort, connectQuery: serverTimeouts() })),
      runAs,
      timeoutMs: remaining(),
    });
    // The primary routes are usable once HAProxy has marked each leader UP.
    await Promise.all(
      clusters.map(async (cluster, index) => {
        const leader = await cluster.leader();
        const plan = plans[index];
        if (!leader || !plan) throw new Error(`${cluster.scope} lost its leader during startup`);
        await haproxy.waitForUp(`${plan.key}_primary`, [leader], remaining());
      }),
    );
    log(`haproxy and pgbouncer up (${((Date.now() - started) / 1000).toFixed(1)} s)`);

    const database = (index: number): TopologyDatabase => {
      const plan = plans[index];
      const cluster = clusters[index];
      if (!plan || !cluster) throw new Error(`no database #${index}`);
      const url = (port: number) => `postgresql://postgres@127.0.0.1:${port}/${plan.database}`;
      return {
        scope: plan.scope,
        database: plan.database,
        pgbouncerUrl: pgbouncer.url(plan.database),
        primaryUrl: url(plan.primaryPort),
        replicaUrl: url(plan.replicaPort),
        memberUrl: (name) => url(cluster.member(name).pgPort),
        memberNames: plan.members.map((member) => member.name),
        members: () => cluster.status(),
        killPrimary: () => cluster.killPrimary(),
        waitForNewPrimary: (ms) => cluster.waitForNewPrimary(ms),
        restartMember: (name, ms) => cluster.restartMember(name, ms),
        waitForSyncStandby: (name, ms) => cluster.waitForSyncStandby(name, ms),
        cluster,
      };
    };
    return {
      dir,
      etcdUrl: etcd.clientUrl,
      databases: { goods: database(0), inventory: database(1) },
      haproxy,
      pgbouncer,
      startupSeconds: (Date.now() - started) / 1000,
      stop,
    };
  } catch (error) {
    const tails = registry.tails(25);
    await stop().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `the database topology did not start: ${message}\n${message.includes("--- ") ? "" : tails}` +
        (keepDir ? `\n(kept ${dir})` : ""),
    );
  }
}
