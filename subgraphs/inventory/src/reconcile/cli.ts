// `npm run stocks:reconcile [-- --apply] [--json]`: compares legacy goods.stocks
// with inventory, reports, and with --apply backs up and repairs. See README
// "Migrating an existing shop".
import { join } from "node:path";
import { openGoodsDb } from "@emshop/db/goods";
import { openInventoryDb } from "@emshop/db/inventory";
import { repoRoot } from "@emshop/db/paths";
import { Command, InvalidArgumentError } from "commander";
import { createProgress } from "./progress";
import { type ReconcileResult, reconcile } from "./reconcile";

const positiveInt = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError("must be a positive integer");
  return number;
};

const program = new Command("stocks:reconcile")
  .description("Compare legacy goods.stocks with inventory (the source of truth), report drift, back up and repair.")
  .option("--dry-run", "report only, change nothing (the default)")
  .option("--apply", "back up every legacy value, create missing inventory rows, record the run")
  .option("--json", "print one JSON document instead of tables and a progress bar")
  .option("--batch-size <n>", "goods per batch (memory is bounded by it)", positiveInt, 5000)
  .option("--report <path>", "where to write the JSON-lines report of non-matching goods")
  .option("--fail-after-batches <n>", "testing only: fail after n applied batches", positiveInt)
  .showHelpAfterError();

function print(result: ReconcileResult, json: boolean) {
  if (json) {
    console.log(JSON.stringify(result, (key, value) => (key === "summaryTable" ? undefined : value), 2));
    return;
  }
  if (result.status === "no_legacy_column") {
    console.log("goods.stocks no longer exists: this shop is already migrated, nothing to reconcile.");
    return;
  }
  console.log(result.summaryTable);
  console.log(`report: ${result.reportPath} (${result.reportRows} non-matching goods)`);
  if (result.status === "dry_run") console.log("dry run: nothing was changed. Run with --apply to back up and repair.");
  if (result.status === "applied") {
    console.log(`applied: ${result.backedUp} legacy value(s) backed up, ${result.created} inventory row(s) created.`);
    console.log("next: npm run db:migrate (drops goods.stocks)");
  }
  if (result.status === "already_applied") console.log("already applied: nothing to do (no-op).");
}

async function main() {
  const options = program.parse().opts<{
    dryRun?: boolean;
    apply?: boolean;
    json?: boolean;
    batchSize: number;
    report?: string;
    failAfterBatches?: number;
  }>();
  if (options.apply && options.dryRun) program.error("choose either --dry-run or --apply", { exitCode: 2 });
  const reportPath =
    options.report ??
    join(repoRoot, "reports", `stocks-reconcile-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`);
  const goods = await openGoodsDb({ poolSize: 2 });
  const inventory = await openInventoryDb({ poolSize: 2 });
  const progress = createProgress(!options.json);
  try {
    const result = await reconcile({
      goods: goods.sql,
      inventory,
      apply: Boolean(options.apply),
      batchSize: options.batchSize,
      reportPath,
      onProgress: progress.update,
      ...(options.failAfterBatches ? { failAfterBatches: options.failAfterBatches } : {}),
    });
    progress.stop();
    print(result, Boolean(options.json));
  } finally {
    progress.stop();
    await goods.close();
    await inventory.close();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (process.argv.includes("--json")) console.log(JSON.stringify({ status: "error", error: message }));
  console.error(`stocks:reconcile failed: ${message}`);
  process.exit(1);
});
