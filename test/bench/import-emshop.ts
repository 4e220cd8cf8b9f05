/**
 * emshop import benchmark (not a test): `npm run bench:import`.
 *
 * Generates an emshop shop in MariaDB (1,000,000 goods by default; BENCH_GOODS
 * to change it, e.g. BENCH_GOODS=10000 as a smoke run) — 1,110 categories in
 * three levels, 1,000 brands, 2,000 category-brand pairs, inventory rows for
 * 12 of every 13 goods plus a second live row for every 100th and a
 * soft-deleted one for every 250th, 1,000 orphan rows, a sell record for
 * every 10th goods, a few rows that break the rules — entirely server-side
 * (INSERT … SELECT over a numbers table: no row crosses the wire). Then runs
 * the real CLI (its own process) with --apply into throwaway PostgreSQL
 * databases, again (the no-op re-run), and with --verify, and prints rows/s per
 * phase and overall, and the CLI's peak RSS (VmHWM, polled from /proc). Peak
 * memory must not grow with the shop: the CLI works in batches.
 *
 * Env: BENCH_GOODS (default 1000000), BENCH_BATCH_SIZE (default 5000),
 * TEST_MARIADB_URL (default mysql://root@127.0.0.1:3306/mysql), BENCH_DATABASE_URL
 * or TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
 * Every database it creates is dropped at the end.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "@emshop/db/migrate";
import { openConnection } from "@emshop/db/open-database";
import { openSource, parseSourceUrl } from "@emshop/tools/import-emshop/source";
import { GOODS_SCHEMA, INVENTORY_SCHEMA } from "../import/emshop-schema";
import { createBenchDatabase } from "./bench-database";

const goodsCount = Number(process.env.BENCH_GOODS ?? 1_000_000);
const batchSize = process.env.BENCH_BATCH_SIZE ?? "5000";
const mariadbUrl = process.env.TEST_MARIADB_URL ?? "mysql://root@127.0.0.1:3306/mysql";
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
if (!Number.isInteger(goodsCount) || goodsCount < 1000) throw new Error("BENCH_GOODS must be an integer >= 1000");

const seconds = (since: number) => (performance.now() - since) / 1000;

/** The shop, generated in MariaDB by the server itself. */
async function buildShop(names: { goods: string; inventory: string }) {
  const server = await openSource("goods", parseSourceUrl("TEST_MARIADB_URL", mariadbUrl), { database: false });
  const n = goodsCount;
  const digits = Math.ceil(Math.log10(n + 1001));
  const number = Array.from({ length: digits }, (_, index) => `d${index}.d * ${10 ** index}`).join(" + ");
  const joins = Array.from({ length: digits }, (_, index) => `digits d${index}`).join(" CROSS JOIN ");
  const g = names.goods;
  const i = names.inventory;
  try {
    for (const statement of [
      `CREATE DATABASE ${g} CHARACTER SET utf8mb4`,
      `CREATE DATABASE ${i} CHARACTER SET utf8mb4`,
      `USE ${g}`,
      ...GOODS_SCHEMA,
      `USE ${i}`,
      ...INVENTORY_SCHEMA,
      `USE ${g}`,
      "SET FOREIGN_KEY_CHECKS = 0",
      "CREATE TABLE digits (d int PRIMARY KEY)",
      "INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)",
      "CREATE TABLE nums (n int PRIMARY KEY)",
      `INSERT INTO nums SELECT ${number} + 1 AS n FROM ${joins} HAVING n <= ${n + 1000}`,
      `INSERT INTO category (id, add_time, update_time, name, parent_category_id, level, is_tab)
       SELECT n, NOW(3), NOW(3), CONCAT('Category ', n),
              CASE WHEN n <= 10 THEN NULL WHEN n <= 110 THEN 1 + (n - 11) % 10 ELSE 11 + (n - 111) % 100 END,
              CASE WHEN n <= 10 THEN 1 WHEN n <= 110 THEN 2 ELSE 3 END, n <= 10
       FROM nums WHERE n <= 1110`,
      `INSERT INTO brands (id, add_time, update_time, name, logo)
       SELECT n, NOW(3), NOW(3), CONCAT('Brand ', n), CONCAT('https://img.example/brand', n, '.png') FROM nums WHERE n <= 1000`,
      `INSERT INTO goodscategorybrand (id, add_time, update_time, category_id, brands_id)
       SELECT n, NOW(3), NOW(3), 111 + (n - 1) % 1000, 1 + ((n - 1) % 1000 + FLOOR((n - 1) / 1000)) % 1000
       FROM nums WHERE n <= 2000`,
      `INSERT INTO banner (id, add_time, update_time, image, url, \`index\`)
       SELECT n, NOW(3), NOW(3), CONCAT('https://img.example/banner', n, '.jpg'), CONCAT('https://shop.example/promo/', n), n
       FROM nums WHERE n <= 10`,
      // Every 500th goods soft-deleted, every 1,000th with a negative price, every 10th without a legacy value.
      `INSERT INTO goods (id, add_time, update_time, deleted_at, category_id, brand_id, on_sale, ship_free, is_new, is_hot,
         name, goods_sn, click_num, sold_num, fav_num, market_price, shop_price, goods_brief, goods_desc, images,
         desc_images, goods_front_image, stocks)
       SELECT n, '2023-01-01 00:00:00', '2024-01-01 00:00:00', IF(n % 500 = 0, '2024-03-01 00:00:00', NULL),
              111 + n % 1000, 1 + n % 1000, 1, 1, n % 7 = 0, n % 11 = 0,
              CONCAT('Goods ', n), CONCAT('SN', n), n % 1000, n % 100, n % 10,
              10 + (n % 1000) / 100, IF(n % 1000 = 1, -1, 9 + (n % 100) / 100), 'benchmark goods', 'A description.',
              CONCAT('["https://img.example/g', n, '.jpg"]'), '[]', CONCAT('https://img.example/f', n, '.jpg'),
              IF(n % 10 = 0, NULL, n % 500)
       FROM nums WHERE n <= ${n}`,
      `INSERT INTO ${i}.inventory (add_time, update_time, goods, stocks, version)
       SELECT '2023-01-01 00:00:00', '2024-01-01 00:00:00', n, n % 500 + IF(n % 7 = 0, 3, 0), 1
       FROM nums WHERE n <= ${n} AND n % 13 <> 0`,
      `INSERT INTO ${i}.inventory (add_time, update_time, goods, stocks, version)
       SELECT '2023-01-01 00:00:00', '2024-02-01 00:00:00', n, 1, 5 FROM nums WHERE n <= ${n} AND n % 100 = 0`,
      `INSERT INTO ${i}.inventory (add_time, update_time, deleted_at, goods, stocks, version)
       SELECT '2023-01-01 00:00:00', '2024-02-01 00:00:00', '2024-03-01 00:00:00', n, 7, 1
       FROM nums WHERE n <= ${n} AND n % 250 = 0`,
      `INSERT INTO ${i}.inventory (add_time, update_time, goods, stocks, version)
       SELECT NOW(3), NOW(3), ${n} + n, 1, 1 FROM nums WHERE n <= 1000`,
      `INSERT INTO ${i}.stockselldetail (add_time, update_time, order_sn, status, detail)
       SELECT NOW(3), NOW(3), CONCAT('SO', n), IF(n % 3 = 0, '2', '1'),
              CONCAT('[{"Goods":', n, ',"Num":1},{"Goods":', n + 1, ',"Num":2}]')
       FROM nums WHERE n % 10 = 0 AND n < ${n}`,
      "DROP TABLE nums",
      "DROP TABLE digits",
    ])
      await server.query(statement);
  } finally {
    await server.close();
  }
}

async function dropShop(names: { goods: string; inventory: string }) {
  const server = await openSource("goods", parseSourceUrl("TEST_MARIADB_URL", mariadbUrl), { database: false });
  try {
    await server.query(`DROP DATABASE IF EXISTS ${names.goods}`);
    await server.query(`DROP DATABASE IF EXISTS ${names.inventory}`);
  } finally {
    await server.close();
  }
}

interface CliRun {
  seconds: number;
  peakRssMiB: number;
  result: Record<string, unknown>;
}

/** The CLI as its own process; wall time and its peak RSS (VmHWM polled from /proc). */
function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "tools/src/import-emshop/cli.ts", "--json", "--batch-size", batchSize, ...args],
      { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
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
      if (code !== 0) return reject(new Error(`import:emshop ${args.join(" ")} exited with ${code}: ${stdout}`));
      resolve({
        seconds: seconds(started),
        peakRssMiB: peakKiB / 1024,
        result: JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}"),
      });
    });
  });
}

type Tables = Record<string, { read: number; insert: number; skipped: number; softDeleted: number }>;

const base = `emshop_bench_${randomBytes(3).toString("hex")}`;
const names = { goods: `${base}_goods`, inventory: `${base}_inv` };
const sourceUrl = (database: string) => {
  const url = new URL(mariadbUrl);
  url.pathname = `/${database}`;
  return url.toString();
};
const report = join(tmpdir(), `${base}.jsonl`);
const targets = {
  goods: await createBenchDatabase("import_goods"),
  inventory: await createBenchDatabase("import_inv"),
};
try {
  const built = performance.now();
  await buildShop(names);
  console.log(
    `built an emshop shop of ${goodsCount.toLocaleString()} goods in MariaDB in ${seconds(built).toFixed(1)} s`,
  );
  for (const [name, target] of Object.entries(targets)) {
    const connection = await openConnection(name as "goods" | "inventory", { url: target.url });
    await migrate(connection.sql, name as "goods" | "inventory");
    await connection.close();
  }
  const env = {
    EMSHOP_GOODS_MYSQL_URL: sourceUrl(names.goods),
    EMSHOP_INVENTORY_MYSQL_URL: sourceUrl(names.inventory),
    GOODS_DATABASE_URL: targets.goods.url,
    INVENTORY_DATABASE_URL: targets.inventory.url,
  };
  const apply = await runCli(["--apply", "--report", report], env);
  if (apply.result.status !== "applied") throw new Error(`apply ended with ${JSON.stringify(apply.result.status)}`);
  const again = await runCli(["--apply", "--report", report], env);
  if (again.result.status !== "already_applied")
    throw new Error(`the re-run ended with ${JSON.stringify(again.result.status)}`);
  const verify = await runCli(["--verify", "--report", report], env);
  if (verify.result.status !== "verified")
    throw new Error(`--verify found ${JSON.stringify(verify.result.differences)} difference(s)`);

  const tables = apply.result.tables as Tables;
  const distinctInventoryGoods = goodsCount - Math.floor(goodsCount / 13) + 1000;
  const phaseSeconds = apply.result.seconds as Record<string, number>;
  const phases: [string, number, number][] = [
    ["category", tables.category?.read ?? 0, phaseSeconds.category ?? 0],
    ["brand", tables.brand?.read ?? 0, phaseSeconds.brand ?? 0],
    ["category_brand", tables.category_brand?.read ?? 0, phaseSeconds.category_brand ?? 0],
    ["banner", tables.banner?.read ?? 0, phaseSeconds.banner ?? 0],
    [
      "goods + their inventory",
      (tables.goods?.read ?? 0) + (tables.inventory?.read ?? 0) - 1000,
      phaseSeconds.goods_and_inventory ?? 0,
    ],
    // The orphan pass scans every goods id inventory has (to find the 1,000 orphans among them).
    ["orphan pass (all inv. ids)", distinctInventoryGoods, phaseSeconds.orphan_inventory ?? 0],
    ["stock_sell", tables.stock_sell?.read ?? 0, phaseSeconds.stock_sell ?? 0],
  ];
  const totalRows = Object.values(tables).reduce((sum, table) => sum + table.read, 0);
  const rate = (rows: number, time: number) => (time > 0 ? Math.round(rows / time).toLocaleString() : "-");
  console.log(`\nimport:emshop --apply, ${goodsCount.toLocaleString()} goods, batches of ${batchSize}`);
  console.log(`  ${"phase".padEnd(27)} ${"rows read".padStart(11)} ${"seconds".padStart(8)} ${"rows/s".padStart(9)}`);
  for (const [phase, rows, time] of phases)
    console.log(
      `  ${phase.padEnd(27)} ${rows.toLocaleString().padStart(11)} ${time.toFixed(1).padStart(8)} ${rate(rows, time).padStart(9)}`,
    );
  console.log(
    `  ${"overall (process)".padEnd(27)} ${totalRows.toLocaleString().padStart(11)} ${apply.seconds.toFixed(1).padStart(8)} ${rate(totalRows, apply.seconds).padStart(9)}`,
  );
  console.log(`  ${"goods/s (whole process)".padEnd(27)} ${rate(goodsCount, apply.seconds).padStart(30)}`);
  console.log(
    `  imported: ${Object.entries(tables)
      .map(([name, table]) => `${name} ${table.insert.toLocaleString()}`)
      .join(", ")}`,
  );
  console.log("\n  run                         seconds  rows/s     peak RSS (MiB)");
  for (const [run, measured] of [
    ["--apply", apply],
    ["--apply again (no-op)", again],
    ["--verify", verify],
  ] as const)
    console.log(
      `  ${run.padEnd(27)} ${measured.seconds.toFixed(1).padStart(7)}  ${rate(totalRows, measured.seconds).padStart(9)}  ${measured.peakRssMiB.toFixed(0).padStart(8)}`,
    );
} finally {
  await dropShop(names).catch((error: Error) => console.error(`dropping the MariaDB databases: ${error.message}`));
  await Promise.allSettled([targets.goods.drop(), targets.inventory.drop()]);
  rmSync(report, { force: true });
}
