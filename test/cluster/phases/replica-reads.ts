import { isDeepStrictEqual } from "node:util";
import pg from "pg";
import { startService } from "../../bench/catalog/services";
import { operation } from "../../inventory/support/operations";
import { gql } from "../../support/graphql-client";
import { random } from "../../support/random";
import type { ClusterServices } from "../services";
import { freePorts } from "../topology/ports";
import type { TopologyDatabase } from "../topology/topology";
import { sleep, waitFor } from "../topology/wait";

/*
 * Phase 4 of `npm run test:cluster`: catalog reads with replica routing on
 * (GOODS_DATABASE_REPLICA_URLS = HAProxy's replica route). A read load
 * through the gateways must be served by the goods database's standby (its
 * pg_stat_database counts the transactions), and after an admin's write has
 * been replayed there, every answer the replicas give equals what a goods
 * process reading only the primary answers.
 */

export interface ReplicaReadsResult {
  reads: number;
  readErrors: number;
  /** Statements the goods replicas sent during the read load, by target (their db_statements_total). */
  replicaStatements: number;
  primaryStatements: number;
  /** Transactions the goods standby / primary committed in emshop_goods during the read load. */
  standbyTransactions: number;
  primaryTransactions: number;
  compared: number;
  mismatches: number;
}

const STATS_FLUSH_MS = 11_000;

const LIST = `query ClusterList($filter: GoodsFilter, $page: Int) {
  goodsList(filter: $filter, page: $page, pageSize: 20) { items { id name shopPrice isHot isNew category { id name } brand { id name } } }
}`;
const DETAIL =
  "query ClusterDetail($id: ID!) { goods(id: $id) { id name shopPrice isHot isNew onSale brief updatedAt } }";

/** The sum of `db_statements_total{target}` over the goods replicas right now. */
async function statements(services: ClusterServices, target: "primary" | "replica"): Promise<number> {
  let sum = 0;
  for (const replica of services.replicas.filter((candidate) => candidate.tier === "goods")) {
    const text = await (await fetch(`http://127.0.0.1:${replica.port}/metrics`)).text();
    for (const line of text.split("\n"))
      if (line.startsWith("db_statements_total{") && line.includes(`target="${target}"`))
        sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

async function committed(url: string, database: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1",
      [database],
    );
    return Number(rows[0]?.n ?? Number.NaN);
  } finally {
    await client.end();
  }
}

async function replayedUpTo(primaryUrl: string, standbyUrl: string) {
  const primary = new pg.Client({ connectionString: primaryUrl });
  await primary.connect();
  const { rows } = await primary
    .query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn")
    .finally(() => primary.end());
  const lsn = rows[0]?.lsn;
  await waitFor(
    "the standby to replay the write",
    async () => {
      const standby = new pg.Client({ connectionString: standbyUrl });
      await standby.connect();
      try {
        const replayed = await standby.query<{ caught: boolean }>(
          "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught",
          [lsn],
        );
        return replayed.rows[0]?.caught === true;
      } finally {
        await standby.end();
      }
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
}

export async function replicaReads(
  services: ClusterServices,
  database: TopologyDatabase,
  options: { reads: number; adminHeaders: Record<string, string>; log(line: string): void },
): Promise<ReplicaReadsResult> {
  const members = await database.members();
  const standby = members.find((member) => member.role !== "leader");
  const leader = members.find((member) => member.role === "leader");
  if (!standby || !leader) throw new Error(`goods has no standby and leader: ${JSON.stringify(members)}`);
  const standbyUrl = database.memberUrl(standby.name);
  const primaryUrl = database.memberUrl(leader.name);

  const next = random(20261205);
  const query = (): { query: string; variables: Record<string, unknown> } =>
    next() < 0.7
      ? {
          query: LIST,
          variables: {
            page: 1 + Math.floor(next() * 5),
            filter: next() < 0.5 ? {} : { topCategory: String(1 + Math.floor(next() * 10)) },
          },
        }
      : { query: DETAIL, variables: { id: String(1 + Math.floor(next() * 1200)) } };

  // PostgreSQL 15 backends flush their statistics when idle for PGSTAT_IDLE_INTERVAL (10 s) at the
  // latest: read pg_stat_database only after every backend has been idle that long.
  await sleep(STATS_FLUSH_MS);
  const standbyBefore = await committed(standbyUrl, database.database);
  const primaryBefore = await committed(primaryUrl, database.database);
  const statementsBefore = {
    replica: await statements(services, "replica"),
    primary: await statements(services, "primary"),
  };
  let readErrors = 0;
  let cursor = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (cursor < options.reads) {
        cursor++;
        const { query: text, variables } = query();
        const response = await gql(services.urls.gateway, text, variables, {}).catch(() => ({ errors: [{}] }));
        if (response.errors) readErrors++;
      }
    }),
  );
  const replicaStatements = (await statements(services, "replica")) - statementsBefore.replica;
  const primaryStatements = (await statements(services, "primary")) - statementsBefore.primary;
  await sleep(STATS_FLUSH_MS);
  const standbyTransactions = (await committed(standbyUrl, database.database)) - standbyBefore;
  const primaryTransactions = (await committed(primaryUrl, database.database)) - primaryBefore;
  options.log(
    `  ${options.reads} catalog reads: the goods replicas sent ${replicaStatements} statements to the replica route, ${primaryStatements} to the primary; ` +
      `pg_stat_database: ${standbyTransactions} transactions on the standby ${standby.name}, ${primaryTransactions} on the primary`,
  );

  // An admin's write (on the primary), replayed on the standby, then replicas and primary must agree.
  const flip = await gql(
    services.urls.gateway,
    operation("admin-update-goods-status"),
    { id: "7", isHot: true, isNew: false },
    options.adminHeaders,
  );
  if (flip.errors) throw new Error(`updateGoodsStatus: ${JSON.stringify(flip.errors)}`);
  await replayedUpTo(primaryUrl, standbyUrl);
  const [port] = (await freePorts(1)) as [number];
  const primaryOnly = await startService("goods-primary-only", "subgraphs/goods", port, {
    LOG_LEVEL: "warn",
    DEMO_DATA: "false",
    GOODS_PORT: String(port),
    GOODS_DATABASE_URL: database.primaryUrl,
  });
  let compared = 0;
  let mismatches = 0;
  try {
    const samples = [{ query: DETAIL, variables: { id: "7" } }, ...Array.from({ length: 60 }, query)];
    for (const sample of samples) {
      const [fromReplica, fromPrimary] = await Promise.all([
        gql(services.urls.goods, sample.query, sample.variables, {}),
        gql(primaryOnly.url, sample.query, sample.variables, {}),
      ]);
      compared++;
      if (fromReplica.errors || !isDeepStrictEqual(fromReplica.data, fromPrimary.data)) {
        mismatches++;
        options.log(`  differs: ${JSON.stringify(sample.variables)}`);
      }
    }
  } finally {
    await primaryOnly.stop();
  }
  return {
    reads: options.reads,
    readErrors,
    replicaStatements,
    primaryStatements,
    standbyTransactions,
    primaryTransactions,
    compared,
    mismatches,
  };
}
