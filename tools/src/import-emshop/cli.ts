// `npm run import:emshop [-- --apply | --verify] [--repair] [--json]`: imports a
// whole emshop shop from MySQL/MariaDB (EMSHOP_GOODS_MYSQL_URL,
// EMSHOP_INVENTORY_MYSQL_URL) into the databases the services use
// (GOODS_DATABASE_URL, INVENTORY_DATABASE_URL). Dry run by default. See
// docs/import-emshop.md. Exit codes: 0 done (dry run, applied, nothing to do,
// verified), 1 failed or --verify found differences, 2 bad options or source URLs.
import { join, resolve } from "node:path";
import { type Connection, openConnection } from "@emshop/db/open-database";
import { repoRoot } from "@emshop/db/paths";
import { Command, InvalidArgumentError, Option } from "commander";
import { toolDatabases } from "../database-config";
import { createProgress } from "../reconcile/progress";
import { ImportError, messageOf } from "./errors";
import { formatImport, formatVerify } from "./format";
import { DEFAULT_BATCH_SIZE, importEmshop } from "./import";
import { openSource, parseSourceUrl, type SourceDb } from "./source";
import { verifyEmshop } from "./verify";

interface CliOptions {
  dryRun?: boolean;
  apply?: boolean;
  verify?: boolean;
  repair?: boolean;
  json?: boolean;
  batchSize: number;
  report?: string;
  failAfterBatches?: number;
}

const positiveInt = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError("must be a positive integer");
  return number;
};

const program = new Command("import:emshop")
  .description(
    "Import an emshop shop (MySQL/MariaDB) into this project's databases: catalog, stock (with the legacy " +
      "goods.stocks reconciled) and order stock records. Dry run by default; --apply imports; --verify compares.\n" +
      "Source: EMSHOP_GOODS_MYSQL_URL, EMSHOP_INVENTORY_MYSQL_URL (mysql://user:password@host:3306/db).\n" +
      "Target: GOODS_DATABASE_URL and INVENTORY_DATABASE_URL, as for the services.",
  )
  .addOption(
    new Option("--dry-run", "report what --apply would do, change nothing (the default)").conflicts([
      "apply",
      "verify",
    ]),
  )
  .addOption(new Option("--apply", "import: back up, upsert batch by batch, move the id sequences").conflicts("verify"))
  .addOption(
    new Option("--verify", "compare source and target row by row; exit 1 on any difference").conflicts("repair"),
  )
  .option("--repair", "import rows that break a rule with the documented repair instead of skipping them")
  .option("--json", "print the result as one JSON line on stdout (no table, no progress bar)")
  .option("--batch-size <n>", "rows per batch (memory is bounded by it)", positiveInt, DEFAULT_BATCH_SIZE)
  .option("--report <path>", "where to write the JSON-lines report (default reports/import-emshop-<time>.jsonl)")
  // Testing only: proves that an interrupted apply is completed by the next one.
  .addOption(new Option("--fail-after-batches <n>").argParser(positiveInt).hideHelp())
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .showHelpAfterError();

async function openTargets() {
  // Two connections each: the import is sequential. Long batches are not requests: no 5 s statement timeout.
  const databases = toolDatabases("import:emshop", process.env, { poolSize: 2, statementTimeoutMs: 300_000 });
  const opened: Connection[] = [];
  try {
    for (const name of ["goods", "inventory"] as const) {
      const connection = await openConnection(name, databases[name]);
      opened.push(connection);
      await connection.sql.query("SELECT 1").catch((error: Error) => {
        throw new ImportError(
          "TARGET_UNREACHABLE",
          `cannot reach the ${name} database (${connection.location}): ${error.message}`,
        );
      });
    }
  } catch (error) {
    await Promise.allSettled(opened.map((connection) => connection.close()));
    throw error;
  }
  const [goods, inventory] = opened as [Connection, Connection];
  return { goods, inventory };
}

async function openSources() {
  const goodsUrl = parseSourceUrl("EMSHOP_GOODS_MYSQL_URL", process.env.EMSHOP_GOODS_MYSQL_URL);
  const inventoryUrl = parseSourceUrl("EMSHOP_INVENTORY_MYSQL_URL", process.env.EMSHOP_INVENTORY_MYSQL_URL);
  const goods = await openSource("goods", goodsUrl);
  const inventory = await openSource("inventory", inventoryUrl).catch(async (error: unknown) => {
    await goods.close();
    throw error;
  });
  return { goods, inventory };
}

async function main(options: CliOptions): Promise<number> {
  // A relative --report is relative to where the operator ran `npm run` (INIT_CWD), not to npm's working directory.
  const mode = options.verify ? "verify" : "import";
  const reportPath = options.report
    ? resolve(process.env.INIT_CWD ?? process.cwd(), options.report)
    : join(repoRoot, "reports", `${mode}-emshop-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`);
  const source = await openSources();
  let targets: { goods: Connection; inventory: Connection } | undefined;
  const progress = createProgress(!options.json);
  try {
    targets = await openTargets();
    const target = { goods: targets.goods.sql, inventory: targets.inventory.sql };
    if (options.verify) {
      const result = await verifyEmshop({
        source,
        target,
        batchSize: options.batchSize,
        reportPath,
        onProgress: progress.update,
      });
      progress.stop();
      if (options.json) console.log(JSON.stringify(result));
      else {
        console.log(formatVerify(result));
        console.log(`report: ${result.reportPath}`);
        console.log(
          result.status === "verified"
            ? "verified: the target holds exactly what emshop holds."
            : `differences: ${result.differences} (see the report)`,
        );
      }
      return result.status === "verified" ? 0 : 1;
    }
    const result = await importEmshop({
      source,
      target,
      apply: Boolean(options.apply),
      repair: Boolean(options.repair),
      batchSize: options.batchSize,
      reportPath,
      onProgress: progress.update,
      afterStep: (step, batch) => {
        if (step === "batch_done" && batch === options.failAfterBatches)
          throw new ImportError("INJECTED_FAILURE", `injected failure after ${batch} batch(es)`);
      },
    });
    progress.stop();
    if (options.json) console.log(JSON.stringify(result));
    else {
      console.log(formatImport(result));
      console.log(`report: ${result.reportPath} (${result.reportRows} lines)`);
      if (result.status === "dry_run") console.log("dry run: nothing was changed. Run with --apply to import.");
      if (result.status === "applied") console.log("applied. next: npm run import:emshop -- --verify");
      if (result.status === "already_applied") console.log("already applied: nothing changed (no-op).");
    }
    return 0;
  } finally {
    progress.stop();
    await closeAll(source, targets);
  }
}

async function closeAll(
  source: { goods: SourceDb; inventory: SourceDb },
  targets?: { goods: Connection; inventory: Connection },
) {
  await Promise.allSettled([
    source.goods.close(),
    source.inventory.close(),
    targets?.goods.close(),
    targets?.inventory.close(),
  ]);
}

const options = program.parse().opts<CliOptions>();
main(options).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const code = error instanceof ImportError ? error.code : "FAILED";
    const message = messageOf(error);
    if (options.json) console.log(JSON.stringify({ status: "error", code, error: message }));
    console.error(`import:emshop failed [${code}]: ${message}`);
    const beforeAnyWrite = [
      "SOURCE_URL_INVALID",
      "SOURCE_UNREACHABLE",
      "TARGET_UNREACHABLE",
      "TARGET_NOT_MIGRATED",
      "TARGET_NOT_EMPTY",
    ];
    if (options.apply && !beforeAnyWrite.includes(code))
      console.error("Nothing is lost: every batch written is complete. Run the same command again to complete it.");
    process.exit(code === "SOURCE_URL_INVALID" ? 2 : 1);
  },
);
