// `npm run stocks:reconcile [-- --apply] [--json]`: compares legacy goods.stocks
// with inventory, reports, and with --apply backs up and repairs. See README
// "Migrating an existing shop". Exit codes: 0 done (or nothing to do), 1 failed,
// 2 bad options.
import { join, resolve } from "node:path";
import { openGoodsDb } from "@emshop/db/goods";
import { openInventoryDb } from "@emshop/db/inventory";
import { repoRoot } from "@emshop/db/paths";
import { Command, InvalidArgumentError, Option } from "commander";
import { toolDatabases } from "../database-config";
import { createProgress } from "./progress";
import { DEFAULT_BATCH_SIZE, ReconcileError, type ReconcileResult, reconcile } from "./reconcile";

interface CliOptions {
  dryRun?: boolean;
  apply?: boolean;
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

const program = new Command("stocks:reconcile")
  .description(
    "Compare legacy goods.stocks with inventory (the source of truth), report every difference, " +
      "and with --apply back up every legacy value and create the missing inventory rows.\n" +
      "Databases: GOODS_DATABASE_URL and INVENTORY_DATABASE_URL, as for the services.",
  )
  .addOption(new Option("--dry-run", "report only, change nothing (the default)").conflicts("apply"))
  .option("--apply", "back up every legacy value, create missing inventory rows, record the run")
  .option("--json", "print the result as one JSON line on stdout (no table, no progress bar)")
  .option("--batch-size <n>", "goods per batch (memory is bounded by it)", positiveInt, DEFAULT_BATCH_SIZE)
  .option("--report <path>", "where to write the JSON-lines report (default reports/stocks-reconcile-<time>.jsonl)")
  // Testing only: proves that an interrupted apply is completed by the next one.
  .addOption(new Option("--fail-after-batches <n>").argParser(positiveInt).hideHelp())
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .showHelpAfterError();

function print(result: ReconcileResult, json: boolean) {
  if (json) {
    const { summaryTable: _, ...rest } = result as ReconcileResult & { summaryTable?: string };
    console.log(JSON.stringify(rest)); // one line: `npm run -s stocks:reconcile -- --json | jq`
    return;
  }
  if (result.status === "no_legacy_column") {
    console.log("goods.stocks no longer exists: this shop is already migrated, nothing to reconcile.");
    return;
  }
  console.log(result.summaryTable);
  console.log(`report: ${result.reportPath} (${result.reportRows} goods that do not match)`);
  if (result.status === "dry_run") console.log("dry run: nothing was changed. Run with --apply to back up and repair.");
  if (result.status === "applied") {
    console.log(`applied: ${result.backedUp} legacy value(s) backed up, ${result.created} inventory row(s) created.`);
    console.log("next: npm run db:migrate (drops goods.stocks)");
  }
  if (result.status === "already_applied")
    console.log("already applied: nothing to do (no-op). next: npm run db:migrate (drops goods.stocks)");
}

async function main(options: CliOptions) {
  // A relative --report is relative to where the operator ran `npm run` (INIT_CWD), not to npm's working directory.
  const reportPath = options.report
    ? resolve(process.env.INIT_CWD ?? process.cwd(), options.report)
    : join(repoRoot, "reports", `stocks-reconcile-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`);
  // Two connections each: the tool is sequential, it never needs more. The URLs
  // are read here, as the services read theirs (unset: the embedded default).
  const databases = toolDatabases("stocks:reconcile", process.env, { poolSize: 2 });
  const goods = await openGoodsDb(databases.goods);
  const inventory = await openInventoryDb(databases.inventory).catch(async (error: unknown) => {
    await goods.close();
    throw error;
  });
  const progress = createProgress(!options.json);
  try {
    for (const [name, db] of [
      ["goods", goods],
      ["inventory", inventory],
    ] as const) {
      await db.sql.query("SELECT 1").catch((error: Error) => {
        throw new ReconcileError(`cannot reach the ${name} database (${db.location}): ${error.message}`);
      });
    }
    const result = await reconcile({
      goods: goods.sql,
      inventory,
      apply: Boolean(options.apply),
      batchSize: options.batchSize,
      reportPath,
      onProgress: progress.update,
      afterStep: (step, batch) => {
        if (step === "imported" && batch === options.failAfterBatches)
          throw new Error(`injected failure after ${batch} batch(es)`);
      },
    });
    progress.stop();
    print(result, Boolean(options.json));
  } finally {
    progress.stop();
    await goods.close();
    await inventory.close();
  }
}

const options = program.parse().opts<CliOptions>();
main(options).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (options.json) console.log(JSON.stringify({ status: "error", error: message }));
  console.error(`stocks:reconcile failed: ${message}`);
  // A precondition failed before anything was written; otherwise the apply stopped midway.
  if (options.apply && !(error instanceof ReconcileError))
    console.error("Nothing is lost: run the same command again to complete it.");
  process.exit(1);
});
