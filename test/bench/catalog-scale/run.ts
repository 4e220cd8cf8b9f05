/**
 * The catalog-at-scale benchmark of issue 11 (not a test): `npm run bench:catalog-scale`.
 *
 * Loads BENCH_GOODS (default 1,000,000) generated goods into a throwaway
 * PostgreSQL database, starts the goods subgraph in this process, and times
 * sequential HTTP /graphql requests for each query of queries.ts, with and
 * without `total`, printing the EXPLAIN (ANALYZE, BUFFERS) plan of every
 * statement Prisma sent. Twice: on the schema before the catalog indexes
 * (BENCH_BEFORE, default migration 0004) and after applying the later
 * migrations to the loaded catalog. Writes
 * bench-results/<date>-catalog-scale[-smoke].json. Needs PostgreSQL (with
 * contrib: pg_trgm); see the README, "Catalog at scale".
 */
import { loadavg } from "node:os";
import { migrate } from "@emshop/db/migrate";
import { pgPoolSqlClient } from "@emshop/db/sql-client";
import { startGoodsService } from "@emshop/goods/main";
import pg from "pg";
import { quietLogger } from "../../support/logs";
import { createBenchDatabase } from "../bench-database";
import { cleanup, cleanupOnSignals, onCleanup } from "../catalog/cleanup";
import { installStatementCapture } from "./capture";
import { loadCatalog, vacuumAnalyze } from "./generate";
import { runPhase } from "./phase";
import { benchQueries } from "./queries";
import { answerDifferences, beforeAfterTable, formatPlans, type PhaseResult, phaseTable } from "./report";
import { machineInfo, writeResults } from "./results";
import { applyHeldBack, holdBack, migrationsAfter } from "./schema-phases";
import { scaleSettings } from "./settings";

const settings = scaleSettings();
const started = performance.now();
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;
const log = (line: string) => console.log(`[${seconds(started).toFixed(0).padStart(4)} s] ${line}`);

async function main() {
  cleanupOnSignals("stopping the service and dropping the database");
  const database = await createBenchDatabase("scale");
  if (settings.keepDatabase) log(`database ${database.name} is kept (BENCH_KEEP_DATABASE=1): drop it yourself`);
  else onCleanup("database", () => database.drop());
  // One connection for loading, holding migrations back and EXPLAIN: no statement timeout.
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  onCleanup("connection", () => client.end());
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  onCleanup("migration pool", () => pool.end());
  const sql = pgPoolSqlClient(pool);
  const machine = await machineInfo(client);

  const later = settings.before ? migrationsAfter(settings.before) : [];
  await migrate(sql, "goods", settings.before ? { until: settings.before } : {});
  log(
    `loading ${settings.goods.toLocaleString("en")} goods into ${database.name} (schema up to ${settings.before ?? "the last migration"})…`,
  );
  let since = performance.now();
  const catalog = await loadCatalog(client, settings.goods, log);
  const loadSeconds = seconds(since);
  since = performance.now();
  await vacuumAnalyze(client);
  const vacuumSeconds = seconds(since);
  log(`loaded in ${loadSeconds} s, VACUUM ANALYZE ${vacuumSeconds} s`);
  await holdBack(client, later);

  installStatementCapture();
  const startService = (countCache?: { maxEntries: number; ttlMs: number }) =>
    startGoodsService({
      port: 0,
      host: "127.0.0.1",
      // The "before" counts take seconds; the service's 5 s default would turn the slowest into errors.
      database: { url: database.url, statementTimeoutMs: 120_000 },
      demoData: false,
      logger: quietLogger(),
      ...(countCache ? { countCache } : {}),
    });
  // Counting in SQL every time: what the schema (the indexes) makes of each count.
  const service = await startService({ maxEntries: 0, ttlMs: 1 });
  onCleanup("goods service", () => service.stop());
  // As deployed: counts remembered until goods change (the "totalUpTo remembered" variant).
  const remembering = await startService();
  onCleanup("goods service (counts remembered)", () => remembering.stop());
  const queries = benchQueries(catalog);
  const load = () => Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const phase = async (name: PhaseResult["name"], lastMigration: string): Promise<PhaseResult> => {
    const start = load();
    log(`${name}: schema up to ${lastMigration} (load average ${start})`);
    remembering.db.catalog?.invalidateCounts(); // each phase counts anew
    const results = await runPhase({
      url: service.url,
      rememberingUrl: remembering.url,
      explainClient: client,
      queries,
      settings,
      log,
    });
    return { name, lastMigration, loadAverage: { start, end: load() }, queries: results };
  };

  const phases: PhaseResult[] = [];
  let migration: { applied: string[]; seconds: number } | undefined;
  if (later.length > 0 && settings.before) {
    phases.push(await phase("before", settings.before));
    log(`applying ${later.map((file) => file.name).join(", ")} to the loaded catalog…`);
    migration = await applyHeldBack(client, sql, later);
    log(
      `migrations applied in ${migration.seconds.toFixed(1)} s (goods writes wait that long; see the file's comments)`,
    );
  }
  const last = later.at(-1)?.name ?? settings.before ?? "the last migration";
  phases.push(await phase("after", last));

  for (const done of phases) console.log(`\n${formatPlans(done)}`);
  for (const done of phases) {
    const { start, end } = done.loadAverage;
    console.log(`\n${done.name} (schema up to ${done.lastMigration}; load average ${start} → ${end}):`);
    console.log(phaseTable(done));
  }
  const [before, after] = phases.length === 2 ? phases : [];
  if (before && after)
    console.log(
      `\nbefore → after (ms; p99 of HTTP requests, SQL from EXPLAIN ANALYZE):\n${beforeAfterTable(before, after)}`,
    );
  const differences = before && after ? answerDifferences(before, after) : [];

  const file = writeResults(settings.resultsDir, settings.smoke, {
    date: new Date().toISOString(),
    command: "npm run bench:catalog-scale",
    settings,
    machine,
    catalog: { goods: catalog.goodsCount, categories: catalog.categories.length, brands: catalog.brandCount },
    loadSeconds,
    vacuumSeconds,
    migration,
    phases,
    answerDifferences: differences,
    totalSeconds: seconds(started),
  });
  log(`wrote ${file}; whole run ${seconds(started)} s`);
  if (differences.length > 0) throw new Error(`answers changed between the phases:\n${differences.join("\n")}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
