/**
 * Reconciliation benchmark (not a test): `npm run bench:reconcile`.
 *
 * For each size (default 100,000 and 1,000,000 goods) builds a legacy shop on
 * throwaway PostgreSQL databases — goods at the legacy migration with
 * goods.stocks, inventory drifted (≈14% drift, ≈8% missing rows, 10% null
 * legacy values, 1,000 orphans) — then runs the real CLI (its own process)
 * for a dry run and for --apply, and prints rows/s and the CLI's peak RSS
 * (VmHWM). Peak memory must not grow with the table size: the CLI works in
 * batches.
 *
 * Env: BENCH_DATABASE_URL or TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
 * BENCH_SIZES (default "100000,1000000"), BENCH_BATCH_SIZE (default 5000).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openGoodsDb } from "@emshop/db/goods";
import { openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { createBenchDatabase } from "./bench-database";

const sizes = (process.env.BENCH_SIZES ?? "100000,1000000").split(",").map(Number);
const batchSize = process.env.BENCH_BATCH_SIZE ?? "5000";
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** A legacy shop of `size` goods, generated in SQL (fast, no per-row round trips). */
async function buildLegacyShop(size: number, goodsUrl: string, inventoryUrl: string) {
  const goods = await openGoodsDb({ url: goodsUrl });
  const inventory = await openInventoryDb({ url: inventoryUrl });
  try {
    await migrate(goods.sql, "goods", { until: "0002_legacy_stock_backup.sql" });
    await migrate(inventory.sql, "inventory");
    await goods.sql.exec(`
      INSERT INTO category (id, name, level) VALUES (1, 'Bench', 1);
      INSERT INTO brand (id, name) VALUES (1, 'Bench');
      INSERT INTO goods (id, goods_sn, name, brief, market_price, shop_price, front_image, category_id, brand_id, stocks)
      SELECT g, 'B' || g, 'Goods ' || g, 'benchmark goods', 10, 9, 'https://img.example/g.jpg', 1, 1,
             CASE WHEN g % 10 = 0 THEN NULL ELSE g % 500 END
      FROM generate_series(1, ${size}) AS g;
      SELECT setval(pg_get_serial_sequence('goods', 'id'), ${size});`);
    await inventory.sql.exec(`
      INSERT INTO inventory (goods_id, stocks)
      SELECT g, CASE WHEN g % 7 = 0 THEN g % 500 + 3 ELSE g % 500 END
      FROM generate_series(1, ${size}) AS g WHERE g % 13 <> 0
      UNION ALL
      SELECT g, 1 FROM generate_series(${size + 1}, ${size + 1000}) AS g;
      INSERT INTO stock_movement (goods_id, delta, stocks_after, version_after, kind, reason)
      SELECT goods_id, stocks, stocks, 0, 'IMPORT', 'benchmark' FROM inventory;`);
    // A live shop's tables have planner statistics; freshly bulk-loaded ones get them now.
    await goods.sql.exec("ANALYZE");
    await inventory.sql.exec("ANALYZE");
  } finally {
    await goods.close();
    await inventory.close();
  }
}

/** Runs the CLI as its own process; returns wall time and its peak RSS (VmHWM, polled from /proc). */
function runCli(args: string[], urls: { goods: string; inventory: string }) {
  return new Promise<{ seconds: number; peakRssMiB: number; result: { summary?: { goodsScanned: number } } }>(
    (resolve, reject) => {
      const started = performance.now();
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "tools/src/reconcile/cli.ts", "--json", "--batch-size", batchSize, ...args],
        {
          cwd: repoRoot,
          env: { ...process.env, GOODS_DATABASE_URL: urls.goods, INVENTORY_DATABASE_URL: urls.inventory },
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      let peakKiB = 0;
      const poll = setInterval(() => {
        try {
          const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
          if (hwm) peakKiB = Math.max(peakKiB, Number(hwm[1]));
        } catch {
          // the process just exited
        }
      }, 50);
      let stdout = "";
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
      });
      child.on("error", reject);
      child.on("exit", (code) => {
        clearInterval(poll);
        if (code !== 0) return reject(new Error(`CLI exited with ${code}: ${stdout}`));
        resolve({
          seconds: (performance.now() - started) / 1000,
          peakRssMiB: peakKiB / 1024,
          result: JSON.parse(stdout),
        });
      });
    },
  );
}

const rows: string[][] = [];
for (const size of sizes) {
  const goodsDb = await createBenchDatabase("goods");
  const inventoryDb = await createBenchDatabase("inventory");
  try {
    const buildStarted = performance.now();
    await buildLegacyShop(size, goodsDb.url, inventoryDb.url);
    console.log(
      `built ${size.toLocaleString()} legacy goods in ${((performance.now() - buildStarted) / 1000).toFixed(1)} s`,
    );
    const urls = { goods: goodsDb.url, inventory: inventoryDb.url };
    const report = join(tmpdir(), `emshop-bench-reconcile-${size}.jsonl`);
    for (const mode of ["dry-run", "apply"] as const) {
      const run = await runCli(mode === "apply" ? ["--apply", "--report", report] : ["--report", report], urls);
      const scanned = run.result.summary?.goodsScanned ?? 0;
      if (scanned !== size) throw new Error(`${mode} scanned ${scanned} goods, expected ${size}`);
      rows.push([
        size.toLocaleString(),
        mode,
        run.seconds.toFixed(1),
        Math.round(size / run.seconds).toLocaleString(),
        run.peakRssMiB.toFixed(0),
      ]);
      console.log(rows.at(-1)?.join("  "));
    }
  } finally {
    await goodsDb.drop();
    await inventoryDb.drop();
  }
}

console.log("\ngoods        mode     seconds  goods/s    peak RSS (MiB)");
for (const [size, mode, seconds, rate, rss] of rows) {
  console.log(
    `${size?.padEnd(12)} ${mode?.padEnd(8)} ${seconds?.padStart(7)}  ${rate?.padStart(9)}  ${rss?.padStart(8)}`,
  );
}
