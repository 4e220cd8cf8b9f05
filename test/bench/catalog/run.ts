/**
 * The catalog benchmark of issue 11 (not a test): `npm run bench`.
 *
 * goods and inventory run as their own processes (NODE_ENV=production) on
 * throwaway PostgreSQL databases with the 1,200-goods demo catalog; in front
 * of those same two processes: A the project's gateway, B Hive Gateway (JS
 * planner), C Hive Gateway with the Rust planner (both serving the committed
 * supergraph with the subgraph URLs rewritten), and D the goods subgraph
 * called directly. wrk sends the same seeded request sequence to each, in
 * interleaved rounds (A B C D, A B C D, …), and the run reports req/s, p50,
 * p99, errors, CPU per request of every process involved and SQL statements
 * per request, with the ratios and the issue's targets. Writes
 * bench-results/<date>-catalog.{json,svg}. Knobs: see settings.ts and
 * docs/bench-catalog.md. Needs PostgreSQL and wrk.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStackDatabases, peakRssMiB } from "../../support/process-stack";
import { benchAdminUrl, createBenchDatabase } from "../bench-database";
import { checkAnswers } from "./answers";
import { renderChart } from "./chart";
import { cleanup, cleanupOnSignals, interruptedBy, onCleanup } from "./cleanup";
import { measureRun, type RunFigures, type Subgraphs } from "./measure";
import {
  checkTargets,
  formatChecks,
  formatRatios,
  formatRounds,
  formatTable,
  type Ratio,
  ratio,
  summarize,
} from "./report";
import { machineInfo, writeResults } from "./results";
import { startServices } from "./services";
import { benchSettings } from "./settings";
import {
  hiveVersions,
  startHive,
  TARGET_NAMES,
  type Target,
  type TargetKey,
  writeRewrittenSupergraph,
} from "./targets";
import {
  buildWorkload,
  inFlightDuplicateShare,
  LIST_SHARE,
  nonEmptyListShare,
  PAGE_SIZE,
  SEQUENCE_LENGTH,
} from "./workload";
import { assertWrkInstalled, runWrk } from "./wrk";

const settings = benchSettings();
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const log = (line: string) => console.log(`[${elapsed().padStart(5)}] ${line}`);

async function main() {
  assertWrkInstalled();
  cleanupOnSignals();
  const machine = await machineInfo(benchAdminUrl);
  const dir = mkdtempSync(join(tmpdir(), "emshop-bench-catalog-"));
  onCleanup("temp dir", () => rmSync(dir, { recursive: true, force: true }));

  log("creating and seeding the goods and inventory databases (demo catalog)…");
  const databases = await createStackDatabases({ seed: "bench", createDatabase: createBenchDatabase });
  onCleanup("databases", () => databases.drop());

  log(`starting goods, inventory and the project gateway (LOG_LEVEL=${settings.logLevel})…`);
  const stack = await startServices(databases.urls, { LOG_LEVEL: settings.logLevel });
  onCleanup("services", () => stack.stop());
  const subgraphs: Subgraphs = {
    goods: { pid: stack.goods.pid, url: stack.goods.url },
    inventory: { pid: stack.inventory.pid, url: stack.inventory.url },
  };

  const wanted = new Set(settings.targets);
  const supergraphPath = writeRewrittenSupergraph(dir, { goods: stack.goods.url, inventory: stack.inventory.url });
  const hive = async (key: "B" | "C") => {
    if (!wanted.has(key)) return undefined;
    const hiveProcess = await startHive({
      supergraphPath,
      rustPlanner: key === "C",
      cwd: dir,
      logLevel: settings.logLevel,
    });
    onCleanup(`Hive ${key}`, () => hiveProcess.stop());
    return hiveProcess;
  };
  log("starting Hive Gateway (JS planner) and Hive Gateway (Rust planner)…");
  const [hiveJs, hiveRust] = await Promise.all([hive("B"), hive("C")]);

  const all: Record<TargetKey, Target | undefined> = {
    A: { key: "A", name: TARGET_NAMES.A, url: stack.gateway.url, gatewayPid: stack.gateway.pid, withStocks: true },
    B: hiveJs && { key: "B", name: TARGET_NAMES.B, url: hiveJs.url, gatewayPid: hiveJs.child.pid, withStocks: true },
    C: hiveRust && {
      key: "C",
      name: TARGET_NAMES.C,
      url: hiveRust.url,
      gatewayPid: hiveRust.child.pid,
      withStocks: true,
    },
    D: { key: "D", name: TARGET_NAMES.D, url: stack.goods.url, withStocks: false },
  };
  const targets = settings.targets.map((key) => all[key]).filter((target): target is Target => target !== undefined);

  const workload = await buildWorkload({
    seed: settings.seed,
    goodsDatabaseUrl: databases.urls.goods,
    goodsUrl: stack.goods.url,
    dir,
  });
  const nonEmpty = await nonEmptyListShare(workload, stack.goods.url);
  const lists = workload.requests.filter((request) => request.kind === "list").length;
  log(
    `workload: ${SEQUENCE_LENGTH} requests (seed ${settings.seed}), ${((lists / SEQUENCE_LENGTH) * 100).toFixed(1)}% goodsList ` +
      `(pageSize ${PAGE_SIZE}, ${workload.filters.length} filters) / ${(((SEQUENCE_LENGTH - lists) / SEQUENCE_LENGTH) * 100).toFixed(1)}% goods(id) ` +
      `of ${workload.goodsCount} goods; non-empty list pages: ${(nonEmpty * 100).toFixed(1)}%`,
  );
  if (nonEmpty < 0.99) throw new Error(`only ${(nonEmpty * 100).toFixed(1)}% of the list pages have items`);
  const duplicates = inFlightDuplicateShare(workload.bodies.gateway, settings.connections);
  log(
    `in-flight duplicates: ${(duplicates * 100).toFixed(1)}% of the requests repeat one of the ${settings.connections - 1} ` +
      "sent just before (the most that deduplicating identical in-flight subgraph reads could save)",
  );

  const checked = await checkAnswers(targets, workload);
  log(
    `answers checked: ${checked} requests, every target, stocks non-null, gateways agree with each other and with goods`,
  );

  const bodiesOf = (target: Target) => (target.withStocks ? workload.bodyFiles.gateway : workload.bodyFiles.direct);
  const wrkOptions = { connections: settings.connections, threads: settings.wrkThreads };
  log(`warm-up: ${settings.warmupSeconds} s per target`);
  for (const target of targets) {
    const warm = await runWrk({
      url: target.url,
      bodiesFile: bodiesOf(target),
      seconds: settings.warmupSeconds,
      ...wrkOptions,
    });
    const failed = warm.non200 + warm.graphqlErrors;
    // The answers were checked above; errors now are the target under overload (timeouts, an open circuit),
    // which the measured rounds report. Only a target that answers nothing at all stops the run.
    if (warm.requests === 0 || failed === warm.requests)
      throw new Error(
        `${target.key} (${target.name}) warm-up: ${warm.requests} requests, all failed; first: ${warm.firstError}`,
      );
    if (failed > 0)
      log(
        `warm-up ${target.key}: ${failed} of ${warm.requests} answers failed under load; first: ${warm.firstError.slice(0, 200)}`,
      );
  }

  log(
    `measuring: ${settings.rounds} round(s) × ${targets.length} targets × ${settings.seconds} s, ${settings.connections} connections, ` +
      `${settings.wrkThreads} wrk thread(s)`,
  );
  const runs: RunFigures[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const target of targets) {
      const figures = await measureRun({
        target,
        round,
        subgraphs,
        bodiesFile: bodiesOf(target),
        seconds: settings.seconds,
        ...wrkOptions,
      });
      runs.push(figures);
      log(
        `round ${round} ${target.key} ${target.name.padEnd(28)} ${figures.reqPerSec.toFixed(0).padStart(6)} ok req/s  ` +
          `p50 ${figures.p50Ms.toFixed(1)} ms  p99 ${figures.p99Ms.toFixed(1)} ms  errors ${figures.errors} (${(figures.errorShare * 100).toFixed(1)}%)` +
          (figures.errors > 0 ? ` (first: ${figures.wrk.firstError.slice(0, 160)})` : ""),
      );
    }
  }

  const keys = targets.map((target) => target.key);
  const summaries = summarize(runs, keys);
  const ratios = (["D", "B", "C"] as const)
    .map((to) => (keys.includes("A") && keys.includes(to) ? ratio(runs, "A", to) : undefined))
    .filter((r): r is Ratio => r !== undefined);
  const checks = checkTargets(ratios);
  const peakRss = Object.fromEntries(
    targets.flatMap((target) => (target.gatewayPid === undefined ? [] : [[target.key, peakRssMiB(target.gatewayPid)]])),
  );
  const hiveInfo = hiveVersions();

  console.log("");
  console.log(
    `catalog benchmark${settings.smoke ? " (SMOKE: figures not meaningful)" : ""}: ${Math.round(LIST_SHARE * 100)}% goodsList / ` +
      `${Math.round((1 - LIST_SHARE) * 100)}% goods(id), with stocks through the gateways; ${settings.connections} connections, ` +
      `${settings.seconds} s × ${settings.rounds} interleaved rounds; services at LOG_LEVEL=${settings.logLevel}; ` +
      `${machine.cpus} CPUs, Node ${machine.node}, PostgreSQL ${machine.postgres}, Hive Gateway ${hiveInfo.gateway} ` +
      `(router-runtime ${hiveInfo.routerRuntime}), commit ${machine.git.commit.slice(0, 10)}${machine.git.dirty ? " (dirty)" : ""}`,
  );
  console.log(formatTable(summaries, settings.rounds));
  console.log("");
  console.log(formatRatios(ratios));
  console.log("");
  console.log(formatChecks(checks));
  console.log("");
  console.log(formatRounds(runs));
  console.log(
    `gateway peak RSS (MiB): ${Object.entries(peakRss)
      .map(([key, mib]) => `${key} ${mib.toFixed(0)}`)
      .join(", ")}`,
  );

  const chart = renderChart({
    title: `npm run bench — catalog mix, ${settings.connections} connections, ${settings.seconds} s × ${settings.rounds} rounds${settings.smoke ? " (smoke)" : ""}`,
    subtitle: `${machine.cpus} CPUs · Node ${machine.node} · PostgreSQL ${machine.postgres} · Hive Gateway ${hiveInfo.gateway} · commit ${machine.git.commit.slice(0, 10)}${machine.git.dirty ? " (dirty)" : ""} · ${new Date().toISOString().slice(0, 16)}Z`,
    targets: keys,
    runs,
    summaries,
  });
  const files = writeResults({
    dir: settings.resultsDir,
    smoke: settings.smoke,
    svg: chart,
    json: {
      benchmark: "catalog",
      date: new Date().toISOString(),
      settings,
      machine,
      hive: hiveInfo,
      workload: {
        sequenceLength: SEQUENCE_LENGTH,
        listShare: lists / SEQUENCE_LENGTH,
        pageSize: PAGE_SIZE,
        nonEmptyListShare: nonEmpty,
        inFlightDuplicateShare: duplicates,
        goodsCount: workload.goodsCount,
        filters: workload.filters,
      },
      targets: Object.fromEntries(targets.map((target) => [target.key, target.name])),
      runs,
      summaries,
      ratios,
      checks,
      gatewayPeakRssMiB: peakRss,
      durationS: (performance.now() - started) / 1000,
    },
  });
  log(`wrote ${files.json} and ${files.svg}`);
}

try {
  await main();
} catch (error) {
  if (!interruptedBy()) console.error(`\nnpm run bench failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  log("stopped every process and dropped the databases");
}
